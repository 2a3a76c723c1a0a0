using Workflow.Boundary;

namespace Workflow.Tests.Boundary;

/// <summary>Ids and names from outside: each rule refuses with the rule and the position of the offending character.</summary>
public class NameRulesTests
{
    public static TheoryData<string, string, string> Refused => new()
    {
        { "order\u202E17", nameof(NameKind.InstanceId), "character 6 is U+202E, a format character (Unicode category Cf" },
        { "order\u2066x", nameof(NameKind.Signal), "character 6 is U+2066, a format character" },
        { "pay\u200Bment", nameof(NameKind.Signal), "character 4 is U+200B, a format character" },
        { "\uFEFFid", nameof(NameKind.InstanceId), "character 1 is U+FEFF, a format character" },
        { "a\u0007b", nameof(NameKind.InstanceId), "character 2 is U+0007, a control character (Unicode category Cc)" },
        { "line\nbreak", nameof(NameKind.Signal), "character 5 is U+000A, a control character" },
        { "a\u2028b", nameof(NameKind.Module), "character 2 is U+2028, a line or paragraph separator" },
        { "caf\u0065\u0301", nameof(NameKind.InstanceId), "is not in Unicode normalization form C (NFC) from character 5 (U+0301)" },
        { "\u212B", nameof(NameKind.Signal), "from character 1 (U+212B)" },
        { "approve/reject", nameof(NameKind.Signal), "character 8 is '/': a signal name cannot contain '/'" },
        { "a/b", nameof(NameKind.InstanceId), "character 2 is '/': an instance id cannot contain '/'" },
        { "a.b", nameof(NameKind.InstanceId), "character 2 is '.': an instance id cannot contain '.'" },
        { "no spaces", nameof(NameKind.Workflow), "character 3 is U+0020; a workflow name is made of ASCII letters" },
        { "zahlung\u00E4", nameof(NameKind.Workflow), "character 8 is U+00E4; a workflow name is made of ASCII letters" },
        { "", nameof(NameKind.Signal), "signal name cannot be empty" },
        { new string('x', NameRules.MaxLength + 1), nameof(NameKind.InstanceId), "is too long: it has more than 200 characters" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void A_name_that_breaks_a_rule_is_refused_naming_the_rule_and_the_character(string name, string kindName, string says)
    {
        var kind = Enum.Parse<NameKind>(kindName);
        var e = Assert.Throws<InvalidNameException>(() => NameRules.Check(name, kind));
        Assert.Equal(kind, e.Kind);
        Assert.Contains(says, e.Message);
        // The message shows the name escaped: it cannot reorder or hide part of itself.
        Assert.DoesNotMatch(@"[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]", e.Message);
    }

    [Theory]
    [InlineData("order-17", nameof(NameKind.InstanceId))]
    [InlineData("caf\u00E9 \u6CE8\u6587 \uD83D\uDE00", nameof(NameKind.InstanceId))]
    [InlineData("q\u0308", nameof(NameKind.Signal))]
    [InlineData("decision.v2", nameof(NameKind.Signal))]
    [InlineData("billing_run-2.wf", nameof(NameKind.Workflow))]
    [InlineData("pricing", nameof(NameKind.Module))]
    public void Names_that_keep_every_rule_are_taken(string name, string kind)
    {
        Assert.Null(NameRules.Problem(name, Enum.Parse<NameKind>(kind)));
        var longest = new string('\u00E9', NameRules.MaxLength);
        Assert.Null(NameRules.Problem(longest, NameKind.InstanceId));
    }

    [Fact]
    public void Two_ids_that_differ_only_in_lone_surrogates_cannot_both_be_taken()
    {
        // Written to the database as UTF-8, either half becomes U+FFFD: both would be the same id.
        // (Not theory data: xunit writes that as UTF-8 too, and the halves would reach the test as U+FFFD.)
        foreach (var (id, unit) in new[] { ("order\uD800", "D800"), ("order\uDBFF", "DBFF"), ("order\uDC00", "DC00"), ("order\uDC00\uD800", "DC00") })
        {
            var e = Assert.Throws<InvalidNameException>(() => NameRules.Check(id, NameKind.InstanceId));
            Assert.Contains($"character 6 is a lone surrogate (U+{unit})", e.Message);
            Assert.DoesNotMatch(@"\p{Cs}", e.Message);
        }
        Assert.Contains("character 1 is a lone surrogate", NameRules.Problem("\uDC00", NameKind.Signal));
        Assert.Null(NameRules.Problem("order\uFFFD", NameKind.InstanceId));
        Assert.Null(NameRules.Problem("order\uD83D\uDE00", NameKind.InstanceId));
    }
}
