import TestSupport
import Testing

@testable import UnitFile

struct UnitFileParserTests {
    @Test func readsSectionsKeysAndValues() {
        let text = """
            # a comment
            ; another comment
            [Rule]
            Description = Delete old support threads   
            Action=delete
              Schedule=daily

            [Match]
            Metadata=tag=support
            Metadata=!legal_hold
            """
        let (document, diagnostics) = UnitFile.parse(text: text, file: "a.rule")
        #expect(diagnostics.isEmpty)
        #expect(document.sections.map(\.name) == ["Rule", "Match"])
        #expect(document.sections[1].location == SourceLocation(file: "a.rule", line: 8, column: 1))
        #expect(document.value("Description", in: "Rule")?.value == "Delete old support threads")
        #expect(document.value("Schedule", in: "Rule")?.keyLocation.column == 3)
        #expect(document.value("Description", in: "Rule")?.valueLocation.column == 15)
        #expect(document.values("Metadata", in: "Match").map(\.value) == ["tag=support", "!legal_hold"])
        #expect(document.value("Metadata", in: "Rule") == nil)
    }

    @Test func hashAfterValueIsPartOfIt() {
        let (document, diagnostics) = UnitFile.parse(text: "[Rule]\nDescription=keep # not a comment\n", file: "f")
        #expect(diagnostics.isEmpty)
        #expect(document.value("Description", in: "Rule")?.value == "keep # not a comment")
    }

    @Test func continuationJoinsLinesWithASpaceAndSkipsComments() {
        let text = "[Rule]\nDescription=one \\\n# skipped inside the continuation\n   two\\\nthree\nAction=report\n"
        let (document, diagnostics) = UnitFile.parse(text: text, file: "f")
        #expect(diagnostics.isEmpty)
        #expect(document.value("Description", in: "Rule")?.value == "one  two three")
        #expect(document.value("Action", in: "Rule")?.keyLocation.line == 6)
    }

    @Test func evenBackslashesAreNotAContinuation() {
        let (document, _) = UnitFile.parse(text: "[Rule]\nDescription=a\\\\\nAction=report\n", file: "f")
        #expect(document.value("Description", in: "Rule")?.value == "a\\\\")
        #expect(document.value("Action", in: "Rule")?.value == "report")
    }

    @Test func emptyAssignmentResetsAList() {
        let text = "[Match]\nMetadata=a\nMetadata=b\nMetadata=\nMetadata=c\n"
        let (document, _) = UnitFile.parse(text: text, file: "f")
        #expect(document.values("Metadata", in: "Match").map(\.value) == ["c"])
        #expect(document.assignments("Metadata", in: "Match").count == 4)
    }

    @Test func emptyAssignmentUnsetsASingleValue() {
        let (document, _) = UnitFile.parse(text: "[Rule]\nAction=delete\nAction=\n", file: "f")
        #expect(document.value("Action", in: "Rule") == nil)
    }

    @Test func quotedValuesKeepBlanksAndResolveEscapes() {
        let text = "[Rule]\nDescription=\"  padded \\\"x\\\" \"\nSchedule='daily'\n"
        let (document, diagnostics) = UnitFile.parse(text: text, file: "f")
        #expect(diagnostics.isEmpty)
        #expect(document.value("Description", in: "Rule")?.value == "  padded \"x\" ")
        #expect(document.value("Description", in: "Rule")?.wasQuoted == true)
        #expect(document.value("Schedule", in: "Rule")?.value == "daily")
    }

    @Test func crlfAndByteOrderMarkAreAccepted() {
        let (document, diagnostics) = UnitFile.parse(text: "\u{FEFF}[Rule]\r\nAction=tag\r\n", file: "f")
        #expect(diagnostics.isEmpty)
        #expect(document.value("Action", in: "Rule")?.value == "tag")
        #expect(document.sections.first?.location.column == 1)
    }

    @Test func sectionsRepeatAndAccumulate() {
        let (document, _) = UnitFile.parse(text: "[Match]\nMetadata=a\n[Rule]\nAction=tag\n[Match]\nMetadata=b\n", file: "f")
        #expect(document.values("Metadata", in: "Match").map(\.value) == ["a", "b"])
    }

    @Test func invalidUTF8IsLocatedAndTheRestStillParses() {
        var bytes = Array("[Rule]\nDescription=caf".utf8)
        bytes.append(0xFF)
        bytes += Array("\nAction=report\n".utf8)
        let (document, diagnostics) = UnitFile.parse(bytes: bytes, file: "bad.rule")
        #expect(
            diagnostics.map(\.description) == [
                "bad.rule:2:16: error: the file is not valid UTF-8 (byte 0xff at offset 22); save it as UTF-8"
            ])
        #expect(document.value("Action", in: "Rule")?.value == "report")
    }

    @Test func aNulByteIsReportedOnceAndNotEchoed() {
        let bytes = Array("[Rule]\nAction=report\n".utf8) + [0] + Array("\nDescription=x\n".utf8)
        let (document, diagnostics) = UnitFile.parse(bytes: bytes, file: "nul.rule")
        #expect(
            diagnostics.map(\.description) == [
                "nul.rule:3:1: error: the file has a NUL byte at offset 21, so it is not a text file; save it as UTF-8 text"
            ])
        #expect(document.value("Description", in: "Rule")?.value == "x")
    }

    @Test func valueOffsetsMapToColumns() {
        let (document, _) = UnitFile.parse(text: "[Match]\nMetadata = tag=sup\n", file: "f")
        let entry = document.value("Metadata", in: "Match")!
        #expect(entry.location(atValueOffset: 4).column == 16)
    }

    @Test func parsingContinuesAfterEveryFault() {
        let text = "Action=delete\n[Rule\nfoo\n=x\n[Rule]\nDescription=\"open\nAction=report\n"
        let (document, diagnostics) = UnitFile.parse(text: text, file: "f")
        #expect(diagnostics.map(\.line) == [1, 2, 3, 4, 6])
        #expect(document.value("Action", in: "Rule")?.value == "report")
    }
}

/// Every message of the parser, with the fault position marked by `‸` in the fixture.
struct UnitFileDiagnosticFixtureTests {
    static let fixtures: [(String, Diagnostic.Severity, String)] = [
        (
            "‸Action=delete\n[Rule]\n", .error,
            "assignment to `Action` stands outside any section; add a section header such as `[Rule]` above it"
        ),
        (
            "[Rule]\nAction=delete\n‸[Match\nOlderThan=1d\n", .error,
            "`[Match` is not a section header; a header is a line `[Name]` and nothing else"
        ),
        (
            "[Rule]\n  ‸[Match] x\n", .error,
            "`[Match] x` is not a section header; a header is a line `[Name]` and nothing else"
        ),
        ("‸[]\n", .error, "empty section header `[]`; name the section, as in `[Rule]`"),
        (
            "[Rule]\n\t‸Action delete\n", .error,
            "expected `Key=Value`, got `Action delete`; comments start with `#` or `;` at the line start"
        ),
        ("[Rule]\n ‸= delete\n", .error, "missing key before `=` in `= delete`"),
        ("[Rule]\nDescription=‸\"never closed\n", .error, "unterminated quote in the value of `Description`; close it with \""),
        (
            "[Rule]\nDescription='quoted'‸ and not\n", .error,
            "text after the closing quote in the value of `Description`; quote the whole value or none of it"
        ),
        ("[Rule]\n‸Description=ends \\", .warning, "the file ends inside a line continuation; remove the trailing `\\`"),
    ]

    @Test(arguments: fixtures)
    func messageIsLocated(fixture: String, severity: Diagnostic.Severity, message: String) {
        let marked = MarkedFixture(fixture)
        let (_, diagnostics) = UnitFile.parse(text: marked.text, file: "x.rule")
        #expect(diagnostics == [Diagnostic(file: "x.rule", line: marked.line, column: marked.column, severity: severity, message: message)])
    }

    @Test func rendersLikeACompiler() {
        let diagnostic = Diagnostic(file: "rules/a.rule", line: 3, column: 7, message: "unknown key `X` in [Rule]")
        #expect(diagnostic.description == "rules/a.rule:3:7: error: unknown key `X` in [Rule]")
    }
}
