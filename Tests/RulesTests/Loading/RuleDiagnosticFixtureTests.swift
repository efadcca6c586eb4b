import TestSupport
import Testing
import UnitFile

@testable import Rules

/// Every message the rule reader writes, with the fault position marked by `‸`.
///
/// The file is `x.rule`; messages that quote the Schedule module's own text end with `…`
/// and are compared up to it.
struct RuleDiagnosticFixtureTests {
    static let rule = "[Rule]\nAction=report\n"
    static let fixtures: [(String, Diagnostic.Severity, String)] = [
        ("‸[Rule]\nDescription=x\n", .error, "missing `Action=` in [Rule]; use one of: delete, tag, untag, report"),
        ("‸[Match]\nOlderThan=1d\n", .error, "missing `Action=` in [Rule]; use one of: delete, tag, untag, report"),
        ("[Rule]\nAction=‸delet\n", .error, "unknown action `delet` for `Action=`; did you mean `delete`?"),
        ("[Rule]\nAction=‸purge\n", .error, "unknown action `purge` for `Action=`; valid actions are: delete, tag, untag, report"),
        ("[Rule]\nAction=report\nEnabled=‸maybe\n", .error, "`Enabled=` takes a boolean (yes or no), got `maybe`"),
        ("[Rule]\nAction=report\nSchedule=‸*-*-* 25:00\n", .error, "`Schedule=` takes a calendar event as `OnCalendar=` does: …"),
        ("[Rule]\nAction=report\nSchedule=‸nightly\n", .error, "`Schedule=` takes a calendar event as `OnCalendar=` does: …"),
        (rule + "[Match]\nOlderThan=‸30x\n", .error, "`OlderThan=` takes a time span: unknown unit `x` in time span `30x`…"),
        (rule + "[Match]\nNewerThan=‸-1d\n", .error, "`NewerThan=` takes a time span: …"),
        (rule + "[Match]\nIdleFor=‸soon\n", .error, "`IdleFor=` takes a time span: …"),
        (rule + "[Match]\nActiveWithin=‸1 fortnight\n", .error, "`ActiveWithin=` takes a time span: …"),
        (rule + "[Match]\nCreatedBefore=‸2026-02-30\n", .error, "`CreatedBefore=` takes a timestamp: timestamp `2026-02-30` names a day…"),
        (rule + "[Match]\nCreatedAfter=‸last tuesday\n", .error, "`CreatedAfter=` takes a timestamp: …"),
        (
            rule + "[Match]\nMetadata=‸!\n", .error,
            "`Metadata=` needs a key, as in `Metadata=tag=support`, `Metadata=tenant` or `Metadata=!legal_hold`"
        ),
        (
            rule + "[Match]\nMetadata=‸=x\n", .error,
            "`Metadata=` needs a key, as in `Metadata=tag=support`, `Metadata=tenant` or `Metadata=!legal_hold`"
        ),
        (
            rule + "[Match]\nMetadata=!‸" + String(repeating: "k", count: 65) + "\n", .error,
            "metadata key `\(String(repeating: "k", count: 65))` in `Metadata=` is longer than 64 characters, so no thread has it"
        ),
        (
            rule + "[Match]\nMetadata=tag=sup‸[ab\n", .error,
            "unterminated `[` in the pattern `sup[ab` of `Metadata=`; close the set with `]` (an open set never matches)"
        ),
        (
            rule + "[Match]\nMetadata=!tag=‸[]\n", .error,
            "unterminated `[` in the pattern `[]` of `Metadata=`; close the set with `]` (an open set never matches)"
        ),
        (
            "[Rule]\nAction=delete\n[Match]\nOlderThan=1d\n‸Metadata=legal_hold\n", .warning,
            "`Metadata=legal_hold` can never match: threads carrying the hold key `legal_hold` are never touched by `Action=delete`"
        ),
        (rule + "[Match]\nSource=import ‸imported\n", .error, "unknown source `imported` for `Source=`; did you mean `import`?"),
        (rule + "[Match]\nState=‸zombie\n", .error, "unknown state `zombie` for `State=`; use one of: live, deleted, gone"),
        (
            "[Rule]\nAction=delete\n‸[Match]\nState=live\n", .error,
            "`Action=delete` with no condition in [Match] would delete every live thread; add one, such as `OlderThan=30d`"
        ),
        (
            "‸[Rule]\nAction=delete\n", .error,
            "`Action=delete` with no condition in [Match] would delete every live thread; add one, such as `OlderThan=30d`"
        ),
        (
            rule + "[Action]\n‸Archive=yes\n", .warning,
            "`Archive=` applies only to `Action=delete`; it is ignored for `Action=report`"
        ),
        (rule + "[Action]\nArchive=‸sometimes\n", .error, "`Archive=` takes a boolean (yes or no), got `sometimes`"),
        (rule + "[Action]\nVerify=‸alway\n", .error, "unknown value `alway` for `Verify=`; did you mean `always`?"),
        (rule + "[Action]\nVerify=‸twice\n", .error, "unknown value `twice` for `Verify=`; use one of: always, stale, never"),
        (rule + "[Action]\nVerifyWindow=‸1 parsec\n", .error, "`VerifyWindow=` takes a time span: …"),
        (rule + "[Action]\n‸Set=a=b\n", .error, "`Set=` applies only to `Action=tag`, not `Action=report`"),
        ("[Rule]\nAction=tag\n‸[Action]\nVerify=never\n", .error, "`Action=tag` needs at least one `Set=key=value` in [Action]"),
        ("‸[Rule]\nAction=tag\n", .error, "`Action=tag` needs at least one `Set=key=value` in [Action]"),
        ("[Rule]\nAction=tag\n[Action]\nSet=‸flag\n", .error, "`Set=` needs `key=value`, got `flag`"),
        ("[Rule]\nAction=tag\n[Action]\nSet=‸=v\n", .error, "`Set=` needs `key=value`, got `=v`"),
        (
            "[Rule]\nAction=tag\n[Action]\nSet=‸" + String(repeating: "k", count: 65) + "=v\n", .error,
            "metadata key `\(String(repeating: "k", count: 65))` in `Set=` is longer than 64 characters, the API's limit"
        ),
        (
            "[Rule]\nAction=tag\n[Action]\nSet=note=‸" + String(repeating: "v", count: 513) + "\n", .error,
            "the value for `note` in `Set=` is 513 characters; the API's limit is 512"
        ),
        ("[Rule]\nAction=tag\n[Action]\nSet=a=1\nSet=‸a=2\n", .error, "`Set=` assigns `a` again (first on line 4); keep one"),
        (
            "[Rule]\nAction=tag\n[Action]\n" + (1...16).map { "Set=k\($0)=v\n" }.joined() + "‸Set=k17=v\n", .error,
            "`Set=` assigns 17 keys; thread metadata holds at most 16"
        ),
        (rule + "[Action]\n‸Remove=a\n", .error, "`Remove=` applies only to `Action=untag`, not `Action=report`"),
        ("‸[Rule]\nAction=untag\n", .error, "`Action=untag` needs at least one `Remove=key` in [Action]"),
        (
            "[Rule]\nAction=untag\n[Action]\nRemove=‸" + String(repeating: "k", count: 65) + "\n", .error,
            "metadata key `\(String(repeating: "k", count: 65))` in `Remove=` is longer than 64 characters, the API's limit"
        ),
        (
            "[Rule]\nAction=untag\n[Action]\n‸Remove=legal_hold\n", .warning,
            "`Remove=legal_hold` can never act: threads carrying the hold key are never touched by `Action=untag`"
        ),
        (rule + "[Limits]\nMaxThreads=‸0\n", .error, "`MaxThreads=` takes a whole number above 0, got `0`"),
        (rule + "[Limits]\nMaxThreads=‸5k\n", .error, "`MaxThreads=` takes a whole number above 0, got `5k`"),
        (
            rule + "[Limits]\nMaxFraction=‸150%\n", .error,
            "`MaxFraction=` takes a percentage above 0 and at most 100, such as `25%`, got `150%`"
        ),
        (
            rule + "[Limits]\nRequestsPerSecond=‸fast\n", .error,
            "`RequestsPerSecond=` takes a number above 0, such as `2` or `0.5`, got `fast`"
        ),
        (
            rule + "[Limits]\nRequestsPerSecond=‸20\n", .error,
            "`RequestsPerSecond=20` exceeds the account's budget of 5 ([API] RequestsPerSecond=); a rule may ask for less, never more"
        ),
        (rule + "[Limits]\nConcurrency=‸0\n", .error, "`Concurrency=` takes a whole number above 0, got `0`"),
        (
            rule + "[Limits]\nConcurrency=‸9\n", .error,
            "`Concurrency=9` exceeds the account's budget of 8 ([API] Concurrency=); a rule may ask for less, never more"
        ),
        (rule + "[Match]\n‸OlderThen=1d\n", .error, "unknown key `OlderThen` in [Match]; did you mean `OlderThan`?"),
        (
            rule + "‸[Limit]\nMaxThreads=1\n", .error, "unknown section `[Limit]`; did you mean `[Limits]`?"
        ),
    ]

    @Test(arguments: fixtures)
    func messageIsLocated(fixture: String, severity: Diagnostic.Severity, message: String) {
        let marked = MarkedFixture(fixture)
        let (rule, diagnostics) = Rule.parse(
            text: marked.text, file: "x.rule", budget: RuleBudget(requestsPerSecond: 5, concurrency: 8), now: 1_780_000_000)
        #expect(diagnostics.count == 1, "\(diagnostics)")
        guard let diagnostic = diagnostics.first else { return }
        #expect(diagnostic.file == "x.rule")
        #expect(diagnostic.line == marked.line && diagnostic.column == marked.column, "\(diagnostic)")
        #expect(diagnostic.severity == severity)
        if message.hasSuffix("…") {
            #expect(diagnostic.message.hasPrefix(String(message.dropLast())), "\(diagnostic.message)")
        } else {
            #expect(diagnostic.message == message)
        }
        #expect((rule == nil) == (severity == .error))
    }

    @Test func badRuleNameIsAboutTheWholeFile() {
        let (rule, diagnostics) = Rule.parse(text: "[Rule]\nAction=report\n", file: "dir/my rule.rule", now: 0)
        #expect(rule == nil)
        #expect(
            diagnostics.map(\.description) == [
                "dir/my rule.rule: error: rule name `my rule` (the file name without `.rule`) may hold only letters, digits and `:_.-`; rename the file"
            ])
    }
}
