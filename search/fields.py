"""haystack field types that the archive's Whoosh backend maps to Chinese-aware Whoosh fields."""

from haystack import indexes


class ChineseTextField(indexes.CharField):
    """Words from jieba, for ranking and for unquoted words."""

    field_type = "chinese_text"


class ExactTextField(indexes.CharField):
    """Character grams, for exact phrases and single characters."""

    field_type = "exact_text"


class FacetKeyField(indexes.CharField):
    """An untokenized value used to filter and count (a publication name)."""

    field_type = "facet_key"


class SortableIntegerField(indexes.IntegerField):
    """An integer kept in a column, for filtering, counting and sorting without a search."""

    field_type = "sortable_integer"
