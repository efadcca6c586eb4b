import CommandLineKit
import Foundation
import Journal
import Testing

@testable import ThreadkeeperCLI

@Suite struct CommandContextLoggerTests {
    /// Runs `body` with a context whose stderr is a pipe, and returns what it wrote.
    func stderrText(shared: SharedOptions, _ body: (CommandContext) -> Void) -> String {
        var fds: [Int32] = [0, 0]
        precondition(pipe(&fds) == 0)
        let context = CommandContext(shared: shared, standardError: TextOutput(fileDescriptor: fds[1]))
        body(context)
        context.standardError.flush()
        close(fds[1])
        let data = FileHandle(fileDescriptor: fds[0], closeOnDealloc: true).readDataToEndOfFile()
        return String(decoding: data, as: UTF8.self)
    }

    @Test func stderrTargetWritesJSONLinesWhenAsked() throws {
        let text = stderrText(shared: SharedOptions(logTarget: "stderr", logFormat: "json")) { context in
            context.makeLogger().notice("run finished", id: .runFinished, metadata: ["rule": "support-30d", "done": "5"])
            context.makeLogger().debug("not shown at the default level")
        }
        let lines = text.split(separator: "\n")
        try #require(lines.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(object["message"] as? String == "run finished")
        #expect(object["message_id"] as? String == MessageID.runFinished.hex)
        #expect(object["metadata"] as? [String: String] == ["rule": "support-30d", "done": "5"])
    }

    @Test func stderrTargetWritesReadableTextByDefault() {
        let text = stderrText(shared: SharedOptions(logTarget: "stderr")) { context in
            context.makeLogger().error("delete failed", metadata: ["thread": "thread_x"])
        }
        #expect(text.hasSuffix(" err: delete failed thread=thread_x\n"))
    }
}
