"""haystack field types that the archive's Whoosh backend maps to Chinese-aware Whoosh fields."""

from haystack import indexes


class ChineseTextField(indexes.CharField):
    """Words from jieba, for ranking and for unquoted words."""

    field_type = "chinese_text"


class ExactTextField(indexes.CharField):
    """Character grams of 1 to 4 characters with positions: exact phrases in a short field."""

    field_type = "exact_text"


class ShortGramTextField(indexes.CharField):
    """Character grams of 1 and 2 characters without positions: the shortest exact phrases."""

    field_type = "short_grams"


class LongGramTextField(indexes.CharField):
    """Four-character grams with positions (and each segment's last three characters):
    exact phrases of three characters or more."""

    field_type = "long_grams"


class SortableIntegerField(indexes.IntegerField):
    """An integer kept in a column, for filtering, counting and sorting without a search."""

    field_type = "sortable_integer"
