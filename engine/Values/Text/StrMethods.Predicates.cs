namespace Workflow.Values.Text;

/// <summary>The is* predicates; all but isprintable and isascii are False for the empty string.</summary>
internal static partial class StrMethods
{
    private static object IsDigit(object self, object[] args, Dictionary<string, object>? kwargs) =>
        All("isdigit", self, args, kwargs, CharInfo.IsDigit);

    private static object IsDecimal(object self, object[] args, Dictionary<string, object>? kwargs) =>
        All("isdecimal", self, args, kwargs, CharInfo.IsDecimal);

    private static object IsNumeric(object self, object[] args, Dictionary<string, object>? kwargs) =>
        All("isnumeric", self, args, kwargs, CharInfo.IsNumeric);

    private static object IsAlpha(object self, object[] args, Dictionary<string, object>? kwargs) =>
        All("isalpha", self, args, kwargs, CharInfo.IsAlpha);

    private static object IsAlnum(object self, object[] args, Dictionary<string, object>? kwargs) =>
        All("isalnum", self, args, kwargs, CharInfo.IsAlnum);

    private static object IsSpace(object self, object[] args, Dictionary<string, object>? kwargs) =>
        All("isspace", self, args, kwargs, CharInfo.IsSpace);

    private static object IsPrintable(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        NoArgs("isprintable", args, kwargs);
        var s = (string)self;
        return s.Length == 0 || AllCodePoints(s, CharInfo.IsPrintable);
    }

    private static object IsAscii(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        NoArgs("isascii", args, kwargs);
        return System.Text.Ascii.IsValid((string)self);
    }

    private static object All(string name, object self, object[] args, Dictionary<string, object>? kwargs, Func<int, bool> predicate)
    {
        NoArgs(name, args, kwargs);
        var s = (string)self;
        return s.Length > 0 && AllCodePoints(s, predicate);
    }

    private static bool AllCodePoints(string s, Func<int, bool> predicate)
    {
        for (int i = 0, len; i < s.Length; i += len)
            if (!predicate(CharInfo.CodePointAt(s, i, out len))) return false;
        return true;
    }

    private static object IsUpper(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        NoArgs("isupper", args, kwargs);
        var s = (string)self;
        bool cased = false;
        for (int i = 0, len; i < s.Length; i += len)
        {
            int cp = CharInfo.CodePointAt(s, i, out len);
            if (CharInfo.IsLower(cp) || CharInfo.IsTitle(cp)) return false;
            cased |= CharInfo.IsUpper(cp);
        }
        return cased;
    }

    private static object IsLower(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        NoArgs("islower", args, kwargs);
        var s = (string)self;
        bool cased = false;
        for (int i = 0, len; i < s.Length; i += len)
        {
            int cp = CharInfo.CodePointAt(s, i, out len);
            if (CharInfo.IsUpper(cp) || CharInfo.IsTitle(cp)) return false;
            cased |= CharInfo.IsLower(cp);
        }
        return cased;
    }

    private static object IsTitle(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        NoArgs("istitle", args, kwargs);
        var s = (string)self;
        bool cased = false, previousCased = false;
        for (int i = 0, len; i < s.Length; i += len)
        {
            int cp = CharInfo.CodePointAt(s, i, out len);
            if (CharInfo.IsUpper(cp) || CharInfo.IsTitle(cp))
            {
                // An upper-case letter may only start a word.
                if (previousCased) return false;
                previousCased = cased = true;
            }
            else if (CharInfo.IsLower(cp))
            {
                // A lower-case letter may only continue one.
                if (!previousCased) return false;
                previousCased = cased = true;
            }
            else previousCased = false;
        }
        return cased;
    }

    private static object IsIdentifier(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        NoArgs("isidentifier", args, kwargs);
        var s = (string)self;
        if (s.Length == 0) return false;
        int first = CharInfo.CodePointAt(s, 0, out int len);
        if (!CharInfo.IsXidStart(first)) return false;
        for (int i = len; i < s.Length; i += len)
            if (!CharInfo.IsXidContinue(CharInfo.CodePointAt(s, i, out len))) return false;
        return true;
    }
}
