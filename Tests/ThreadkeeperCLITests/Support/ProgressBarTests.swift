import Foundation
import TestSupport
import Testing

@testable import ThreadkeeperCLI

struct ProgressBarTests {
    @Test func linesOfItemsAndOfBytes() {
        #expect(
            ProgressBar.line(label: "sync", done: 250, total: 1_000, elapsed: 2, width: 10)
                == "sync [##........] 250/1000 25% 125/s")
        #expect(
            ProgressBar.line(label: "import", done: 52_500_000, total: 105_000_000, elapsed: 5, width: 10, unit: .bytes)
                == "import [#####.....] 52.5/105.0 MB 50% 10.5 MB/s")
        // Standard input has no size: what was read and how fast, no bar.
        #expect(
            ProgressBar.line(label: "import", done: 3_000_000, total: 0, elapsed: 2, width: 10, unit: .bytes)
                == "import 3.0 MB read 1.5 MB/s")
    }

    /// Under a pseudo-terminal (script(1)) the import draws its bar and its writing line, then
    /// erases them; the summary is all a pipe sees.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "needs script(1) from bsdutils"))
    func importShowsProgressOnlyOnATerminal() throws {
        let directory = TemporaryDirectory()
        let lines = (0..<20_000).map { #"{"id":"thread_\#($0)","created_at":1700000000,"metadata":{"tag":"t"}}"# }
        let file = try directory.write("threads.jsonl", lines.joined(separator: "\n") + "\n")
        let ledger = directory.file("ledger.sqlite3")
        let command = [BuiltProducts.threadkeeper, "import", file, "--ledger", ledger].joined(separator: " ")
        let terminal = try ProcessRunner.run("/usr/bin/script", ["-qec", command, "/dev/null"])
        #expect(terminal.status == 0)
        #expect(terminal.standardOutput.contains("import [##############################]"))
        #expect(terminal.standardOutput.contains("import: read 20000 threads; writing them to the ledger"))
        #expect(terminal.standardOutput.contains("\r\u{1B}[K"))
        #expect(terminal.standardOutput.contains("imported 20000, updated 0, unchanged 0, skipped 0"))
        let piped = try ProcessRunner.threadkeeper(["import", file, "--ledger", directory.file("other.sqlite3")])
        #expect(piped.standardError.isEmpty)
        #expect(!piped.standardOutput.contains("["))
    }
}
