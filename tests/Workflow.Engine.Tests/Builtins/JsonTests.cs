namespace Workflow.Tests.Builtins;

/// <summary>json.dumps and json.loads against CPython 3.11's output, errors included.</summary>
public class JsonTests
{
    [Fact]
    public void Dumps_writes_scalars_and_containers_like_CPython()
    {
        var output = Run.Output("""
            import json
            print(json.dumps([1, -2**63, 10**20, 1.5, 0.1, 1e16, 1.5e-05, -0.0, 1/3, True, False, None, "s", (1, 2), [], {}]))
            print(json.dumps({"a": [1, {"b": None}], "c": (True,)}))
            print(json.dumps("plain"), json.dumps(None), json.dumps(2.0))
            """);
        Assert.Equal("""
            [1, -9223372036854775808, 100000000000000000000, 1.5, 0.1, 1e+16, 1.5e-05, -0.0, 0.3333333333333333, true, false, null, "s", [1, 2], [], {}]
            {"a": [1, {"b": null}], "c": [true]}
            "plain" null 2.0

            """, output);
    }

    [Fact]
    public void Dumps_with_indent_nests_and_keeps_empty_containers_inline()
    {
        var output = Run.Output("""
            import json
            doc = {"a": 1, "b": [1, 2, {"c": None, "d": (True, False)}], "e": {}, "f": []}
            print(json.dumps(doc, indent=4))
            print(json.dumps(doc, indent=0))
            print(json.dumps([1, [2, {}], []], indent="\t"))
            print(json.dumps([1, [2]], indent=-1))
            print(json.dumps({"a": [1, 2]}, indent=2, separators=(",", ":")))
            """);
        Assert.Equal("""
            {
                "a": 1,
                "b": [
                    1,
                    2,
                    {
                        "c": null,
                        "d": [
                            true,
                            false
                        ]
                    }
                ],
                "e": {},
                "f": []
            }
            {
            "a": 1,
            "b": [
            1,
            2,
            {
            "c": null,
            "d": [
            true,
            false
            ]
            }
            ],
            "e": {},
            "f": []
            }
            [
            	1,
            	[
            		2,
            		{}
            	],
            	[]
            ]
            [
            1,
            [
            2
            ]
            ]
            {
              "a":[
                1,
                2
              ]
            }

            """, output);
    }

    [Fact]
    public void Dumps_escapes_strings_with_and_without_ensure_ascii()
    {
        var output = Run.Output("""
            import json
            s = "q\"b\\s/\n\r\t\b\f\x00\x1f\x7f é \u1234 \U0001F600"
            print(json.dumps(s))
            print(repr(json.dumps(s, ensure_ascii=False)))
            print(json.dumps({"é": "ü"}), json.dumps({"é": "ü"}, ensure_ascii=False))
            """);
        Assert.Equal("""
            "q\"b\\s/\n\r\t\b\f\u0000\u001f\u007f \u00e9 \u1234 \ud83d\ude00"
            '"q\\"b\\\\s/\\n\\r\\t\\b\\f\\u0000\\u001f\x7f é ሴ 😀"'
            {"\u00e9": "\u00fc"} {"é": "ü"}

            """, output);
    }

    [Fact]
    public void Dumps_converts_str_int_float_bool_and_None_keys_and_rejects_others()
    {
        var output = Run.Output("""
            import json
            print(json.dumps({True: 1, None: 2, 1.5: 3, float("inf"): 4, 2: 5, False: 6, 10**20: 7, "s": 8}))
            try:
                json.dumps({(1, 2): 3})
            except TypeError as e:
                print("TypeError:", e)
            print(json.dumps({(1, 2): 3, "a": 1}, skipkeys=True))
            """);
        Assert.Equal("""
            {"true": 1, "null": 2, "1.5": 3, "Infinity": 4, "2": 5, "false": 6, "100000000000000000000": 7, "s": 8}
            TypeError: keys must be str, int, float, bool or None, not tuple
            {"a": 1}

            """, output);
    }

    [Fact]
    public void Dumps_sort_keys_sorts_the_items_and_fails_on_mixed_key_types()
    {
        var output = Run.Output("""
            import json
            print(json.dumps({"b": 1, "a": {"d": 1, "c": 2}, "C": 0}, sort_keys=True))
            print(json.dumps({3: "c", 1: "a", 2: "b"}, sort_keys=True, indent=1))
            try:
                json.dumps({1: 2, "a": 3}, sort_keys=True)
            except TypeError as e:
                print("TypeError:", e)
            """);
        Assert.Equal("""
            {"C": 0, "a": {"c": 2, "d": 1}, "b": 1}
            {
             "1": "a",
             "2": "b",
             "3": "c"
            }
            TypeError: '<' not supported between instances of 'str' and 'int'

            """, output);
    }

    [Fact]
    public void Dumps_uses_the_given_separators()
    {
        var output = Run.Output("""
            import json
            print(json.dumps([1, 2, {"a": 3}], separators=(";", "=")))
            print(json.dumps({"a": 1, "b": [1, 2]}, separators=(",", ":")))
            print(json.dumps({"a": [1]}, indent=1))
            try:
                json.dumps({"a": 1}, separators=(",",))
            except ValueError as e:
                print("ValueError:", e)
            """);
        Assert.Equal("""
            [1;2;{"a"=3}]
            {"a":1,"b":[1,2]}
            {
             "a": [
              1
             ]
            }
            ValueError: not enough values to unpack (expected 2, got 1)

            """, output);
    }

    [Fact]
    public void Dumps_calls_default_and_reports_unserializable_and_circular_values()
    {
        var output = Run.Output("""
            import json
            class Thing:
                pass
            print(json.dumps([Thing(), range(3)], default=lambda o: list(o) if isinstance(o, range) else {"thing": True}))
            for bad in [Thing(), [1, Thing()], {"k": Thing()}, range(2), {}.keys()]:
                try:
                    json.dumps(bad)
                except TypeError as e:
                    print("TypeError:", e)
            loop = []
            loop.append(loop)
            d = {}
            d["self"] = d
            for bad in [loop, d]:
                try:
                    json.dumps(bad)
                except ValueError as e:
                    print("ValueError:", e)
            try:
                json.dumps(Thing(), default=lambda o: o)
            except ValueError as e:
                print("ValueError:", e)
            shared = [1]
            print(json.dumps([shared, shared]))
            """);
        Assert.Equal("""
            [{"thing": true}, [0, 1, 2]]
            TypeError: Object of type Thing is not JSON serializable
            TypeError: Object of type Thing is not JSON serializable
            TypeError: Object of type Thing is not JSON serializable
            TypeError: Object of type range is not JSON serializable
            TypeError: Object of type dict_keys is not JSON serializable
            ValueError: Circular reference detected
            ValueError: Circular reference detected
            ValueError: Circular reference detected
            [[1], [1]]

            """, output);
    }

    [Fact]
    public void Dumps_writes_non_finite_floats_unless_allow_nan_is_false()
    {
        var output = Run.Output("""
            import json
            print(json.dumps([float("inf"), float("-inf"), float("nan")]))
            try:
                json.dumps(float("nan"), allow_nan=False)
            except ValueError as e:
                print("ValueError:", e)
            try:
                json.dumps([float("inf")], allow_nan=False, indent=2)
            except ValueError as e:
                print("ValueError:", e)
            """);
        Assert.Equal("""
            [Infinity, -Infinity, NaN]
            ValueError: Out of range float values are not JSON compliant
            ValueError: Out of range float values are not JSON compliant: inf

            """, output);
    }

    [Fact]
    public void Dumps_and_loads_check_their_arguments()
    {
        var output = Run.Output("""
            import json
            def attempt(f):
                try:
                    f()
                except TypeError as e:
                    print("TypeError:", e)
            attempt(lambda: json.dumps())
            attempt(lambda: json.dumps(1, 2))
            attempt(lambda: json.dumps(1, foo=2))
            attempt(lambda: json.loads())
            attempt(lambda: json.loads(1))
            attempt(lambda: json.loads("1", foo=1))
            print(json.dumps(obj=[1]), json.loads(s="[2]"))
            """);
        Assert.Equal("""
            TypeError: dumps() missing 1 required positional argument: 'obj'
            TypeError: dumps() takes 1 positional argument but 2 were given
            TypeError: JSONEncoder.__init__() got an unexpected keyword argument 'foo'
            TypeError: loads() missing 1 required positional argument: 's'
            TypeError: the JSON object must be str, bytes or bytearray, not int
            TypeError: JSONDecoder.__init__() got an unexpected keyword argument 'foo'
            [1] [2]

            """, output);
    }

    [Fact]
    public void Loads_parses_every_kind_of_value()
    {
        var output = Run.Output("""
            import json
            print(json.loads(' {"a": [1, -0, -1.5, 2E3, 1e400, 0.000001, 123456789012345678901234567890], "b": {"c": null, "d": true, "e": false}} '))
            print(json.loads('"\\/\\b\\f\\n\\r\\t\\"\\\\ \\u00e9 \\ud83d\\ude00 \\ud83d"') == "/\b\f\n\r\t\"\\ é \U0001F600 \ud83d")
            print(json.loads('[NaN, Infinity, -Infinity]'))
            print(json.loads('{"a": 1, "a": 2, "b": 3}'))
            print(type(json.loads("1")).__name__, type(json.loads("1.0")).__name__, type(json.loads("-9223372036854775809")).__name__)
            print(json.loads('[1, 2]', parse_int=float), json.loads('{"b": 1, "a": 2}', object_pairs_hook=lambda p: p))
            """);
        Assert.Equal("""
            {'a': [1, 0, -1.5, 2000.0, inf, 1e-06, 123456789012345678901234567890], 'b': {'c': None, 'd': True, 'e': False}}
            True
            [nan, inf, -inf]
            {'a': 2, 'b': 3}
            int float int
            [1.0, 2.0] [('b', 1), ('a', 2)]

            """, output);
    }

    [Fact]
    public void Loads_reports_malformed_documents_with_CPython_messages()
    {
        var output = Run.Output("""
            import json
            docs = ['', ' ', '{', '[', '[1,', '[1,]', '[1 2]', '{"a" 1}', '{"a":1,}', '{"a":1 "b"}', '{1:2}', "{'a':1}",
                    'nul', ' null x', '[1] x', '"abc', '"ab\\', '"a\\x"', '"\\u12"', '"\\u123g"', '"a\nb"', '01', '[01]',
                    '-', '1.', '1.5e', '.5', '+1', '-NaN', 'True', '\ufeff1', '[\n1,\n2\n,]', '{"a":\n}', '[1,2', '{"a"', '{"a":',
                    '"\U0001F600" x']
            for doc in docs:
                try:
                    json.loads(doc)
                except json.JSONDecodeError as e:
                    print(repr(doc), e)
            """);
        Assert.Equal("""
            '' Expecting value: line 1 column 1 (char 0)
            ' ' Expecting value: line 1 column 2 (char 1)
            '{' Expecting property name enclosed in double quotes: line 1 column 2 (char 1)
            '[' Expecting value: line 1 column 2 (char 1)
            '[1,' Expecting value: line 1 column 4 (char 3)
            '[1,]' Expecting value: line 1 column 4 (char 3)
            '[1 2]' Expecting ',' delimiter: line 1 column 4 (char 3)
            '{"a" 1}' Expecting ':' delimiter: line 1 column 6 (char 5)
            '{"a":1,}' Expecting property name enclosed in double quotes: line 1 column 8 (char 7)
            '{"a":1 "b"}' Expecting ',' delimiter: line 1 column 8 (char 7)
            '{1:2}' Expecting property name enclosed in double quotes: line 1 column 2 (char 1)
            "{'a':1}" Expecting property name enclosed in double quotes: line 1 column 2 (char 1)
            'nul' Expecting value: line 1 column 1 (char 0)
            ' null x' Extra data: line 1 column 7 (char 6)
            '[1] x' Extra data: line 1 column 5 (char 4)
            '"abc' Unterminated string starting at: line 1 column 1 (char 0)
            '"ab\\' Unterminated string starting at: line 1 column 1 (char 0)
            '"a\\x"' Invalid \escape: line 1 column 3 (char 2)
            '"\\u12"' Invalid \uXXXX escape: line 1 column 3 (char 2)
            '"\\u123g"' Invalid \uXXXX escape: line 1 column 3 (char 2)
            '"a\nb"' Invalid control character at: line 1 column 3 (char 2)
            '01' Extra data: line 1 column 2 (char 1)
            '[01]' Expecting ',' delimiter: line 1 column 3 (char 2)
            '-' Expecting value: line 1 column 1 (char 0)
            '1.' Extra data: line 1 column 2 (char 1)
            '1.5e' Extra data: line 1 column 4 (char 3)
            '.5' Expecting value: line 1 column 1 (char 0)
            '+1' Expecting value: line 1 column 1 (char 0)
            '-NaN' Expecting value: line 1 column 1 (char 0)
            'True' Expecting value: line 1 column 1 (char 0)
            '\ufeff1' Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)
            '[\n1,\n2\n,]' Expecting value: line 4 column 2 (char 8)
            '{"a":\n}' Expecting value: line 2 column 1 (char 6)
            '[1,2' Expecting ',' delimiter: line 1 column 5 (char 4)
            '{"a"' Expecting ':' delimiter: line 1 column 5 (char 4)
            '{"a":' Expecting value: line 1 column 6 (char 5)
            '"😀" x' Extra data: line 1 column 5 (char 4)

            """, output);
    }

    [Fact]
    public void Loads_raises_a_JSONDecodeError_that_is_a_ValueError()
    {
        var output = Run.Output("""
            import json
            try:
                json.loads('{\n  "a": tru\n}')
            except ValueError as e:
                print(type(e).__name__, e.msg, e.pos, e.lineno, e.colno, e.doc == '{\n  "a": tru\n}')
                print(repr(e))
            print(json.JSONDecodeError)
            """);
        Assert.Equal("""
            JSONDecodeError Expecting value 9 2 8 True
            JSONDecodeError('Expecting value: line 2 column 8 (char 9)')
            <class 'json.decoder.JSONDecodeError'>

            """, output);
    }

    [Fact]
    public void Values_round_trip_through_dumps_and_loads()
    {
        var output = Run.Output("""
            import json
            doc = {"name": "wf", "tags": ["a", "b"], "n": 3, "f": 2.5, "ok": True, "none": None, "nested": {"x": [1, {"y": "z"}]}, "u": "é\U0001F600"}
            text = json.dumps(doc)
            print(text)
            print(json.loads(text) == doc, json.loads(json.dumps(doc, indent=2, sort_keys=True)) == doc)
            """);
        Assert.Equal("""
            {"name": "wf", "tags": ["a", "b"], "n": 3, "f": 2.5, "ok": true, "none": null, "nested": {"x": [1, {"y": "z"}]}, "u": "\u00e9\ud83d\ude00"}
            True True

            """, output);
    }

    [Fact]
    public void Deep_nesting_hits_the_recursion_limit_where_CPython_does()
    {
        var output = Run.Output("""
            import json
            def nest(n):
                x = []
                for _ in range(n):
                    x = [x]
                return x
            for n in [994, 995]:
                try:
                    json.dumps(nest(n))
                    print(n, "ok")
                except RecursionError as e:
                    print(n, e)
            for n in [995, 996]:
                try:
                    json.loads("[" * n + "]" * n)
                    print(n, "ok")
                except RecursionError as e:
                    print(n, e)
            """);
        Assert.Equal("""
            994 ok
            995 maximum recursion depth exceeded while encoding a JSON object
            995 ok
            996 maximum recursion depth exceeded while decoding a JSON array from a unicode string

            """, output);
    }
}
