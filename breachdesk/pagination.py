"""A paginator whose last pages cost what its first pages do."""

from django.core.paginator import Page, Paginator


class TwoEndedPaginator(Paginator):
    """Pages past the middle are read from the far end, in the reversed order.

    ``OFFSET n`` reads and throws away n rows, even from an index: the last
    of 200 pages of incidents read all 10,000 rows first (issue 14). Past the
    middle, this reads the rows in the reversed order (``QuerySet.reverse()``,
    which the same index serves scanned backwards) with the offset from the
    end, then puts them back in order, so no page reads more than half the
    list. ``object_list`` must be an ordered queryset.
    """

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        if bottom <= self.count // 2:
            return super().page(number)
        from_end = self.count - top
        rows = list(self.object_list.reverse()[from_end : from_end + (top - bottom)])
        rows.reverse()
        return self._get_page(rows, number, self)
