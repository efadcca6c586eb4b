import TestSupport
import Testing

@testable import UnitFile

struct UnitFileSchemaTests {
    static let schema = UnitFileSchema([
        .init("Rule", keys: [.init("Description"), .init("Action")]),
        .init("Match", keys: [.init("OlderThan"), .init("NewerThan"), .init("Metadata", repeatable: true)]),
    ])

    static let fixtures: [(String, Diagnostic.Severity, String)] = [
        ("[Match]\n‸OlderThen=30d\n", .error, "unknown key `OlderThen` in [Match]; did you mean `OlderThan`?"),
        ("[Match]\n‸olderthan=30d\n", .error, "unknown key `olderthan` in [Match]; did you mean `OlderThan`?"),
        ("[Match]\n‸Frobnicate=30d\n", .error, "unknown key `Frobnicate` in [Match]; valid keys are: OlderThan, NewerThan, Metadata"),
        ("‸[Matc]\nOlderThan=1d\n", .error, "unknown section `[Matc]`; did you mean `[Match]`?"),
        ("‸[Service]\nExecStart=/bin/true\n", .error, "unknown section `[Service]`; valid sections are: [Rule], [Match]"),
        (
            "[Rule]\n‸Action=delete\nAction=report\n", .warning,
            "`Action=` is set again on line 3 in [Rule]; the later value wins"
        ),
    ]

    @Test(arguments: fixtures)
    func messageIsLocated(fixture: String, severity: Diagnostic.Severity, message: String) {
        let marked = MarkedFixture(fixture)
        let (document, parseDiagnostics) = UnitFile.parse(text: marked.text, file: "x.rule")
        #expect(parseDiagnostics.isEmpty)
        #expect(
            Self.schema.check(document) == [
                Diagnostic(file: "x.rule", line: marked.line, column: marked.column, severity: severity, message: message)
            ])
    }

    @Test func repeatableKeysAndResetsAreQuiet() {
        let (document, _) = UnitFile.parse(text: "[Match]\nMetadata=a\nMetadata=b\n[Rule]\nAction=tag\nAction=\nAction=report\n", file: "f")
        #expect(Self.schema.check(document).isEmpty)
    }

    @Test func nearestIgnoresFarWords() {
        #expect(Spelling.nearest(to: "Archiv", among: ["Archive", "Verify"]) == "Archive")
        #expect(Spelling.nearest(to: "zzzzzz", among: ["Archive", "Verify"]) == nil)
    }
}
