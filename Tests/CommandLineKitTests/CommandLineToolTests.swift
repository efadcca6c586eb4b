import Foundation
import Testing

@testable import CommandLineKit

/// A tool's context other than threadkeeper's: one shared flag and a journald-style error prefix.
struct DemoContext: ToolContext {
    var toolName = ""
    var environment: [String: String] = [:]
    var standardOutput: TextOutput
    var standardError: TextOutput
    var verbose = false

    static var sharedOptions: [OptionSpec] { [OptionSpec.flag("--verbose", help: "Say more.")] }

    mutating func readSharedOptions(_ arguments: ParsedArguments) { verbose = arguments.flag("--verbose") }

    var errorPrefix: String { "<3>" }
}

struct Greet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "greet", abstract: "Greet someone.",
        options: [OptionSpec("--times", value: "N", help: "How often.")],
        positionals: [PositionalSpec("NAME", help: "Who.")])

    var name: String
    var times: Int

    init(arguments: ParsedArguments) throws {
        name = arguments.positional(0) ?? ""
        times = try arguments.integer("--times", minimum: 1) ?? 1
    }

    func validate() throws {
        if name == "nobody" { throw UsageError("NAME must name somebody", command: "demo greet") }
    }

    func run(_ context: DemoContext) async throws -> ExitCode {
        for _ in 0..<times { context.print("hello \(name)\(context.verbose ? " (verbose)" : "")") }
        return .success
    }
}

struct Fail: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "disk check", abstract: "Fail as a full disk does.")

    init(arguments: ParsedArguments) throws {}

    func run(_ context: DemoContext) async throws -> ExitCode {
        throw CommandFailure("disk full; free some space", exitCode: .ioError)
    }
}

/// The tool runner over a context of its own: dispatch, shared options, help, errors, exit codes.
@Suite struct CommandLineToolTests {
    static let tool = CommandLineTool<DemoContext>(
        name: "demo", version: "1.2.3", abstract: "A demo tool.", commands: [Greet.self, Fail.self],
        exitCodes: [(.success, "success"), (.ioError, "the disk is full")])

    /// Runs `arguments` and returns the exit code, stdout and stderr.
    func run(_ arguments: [String], tool: CommandLineTool<DemoContext> = Self.tool) async -> (ExitCode, String, String) {
        var out: [Int32] = [0, 0]
        var err: [Int32] = [0, 0]
        precondition(pipe(&out) == 0 && pipe(&err) == 0)
        let context = DemoContext(
            standardOutput: TextOutput(fileDescriptor: out[1]), standardError: TextOutput(fileDescriptor: err[1]))
        let code = await tool.run(arguments, context: context)
        close(out[1])
        close(err[1])
        let stdout = FileHandle(fileDescriptor: out[0], closeOnDealloc: true).readDataToEndOfFile()
        let stderr = FileHandle(fileDescriptor: err[0], closeOnDealloc: true).readDataToEndOfFile()
        return (code, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    @Test func aCommandRunsWithItsOptionsAndTheSharedOnesAnywhere() async {
        let (code, stdout, stderr) = await run(["greet", "--verbose", "ann", "--times", "2"])
        #expect(code == .success)
        #expect(stdout == "hello ann (verbose)\nhello ann (verbose)\n")
        #expect(stderr == "")
    }

    @Test func versionPrintsTheToolsNameAndVersion() async {
        let (code, stdout, _) = await run(["--version"])
        #expect(code == .success)
        #expect(stdout == "demo 1.2.3\n")
    }

    @Test func aBadOptionExits64WithThePrefixTheUsageLineAndASuggestion() async {
        let (code, stdout, stderr) = await run(["greet", "ann", "--tims", "2"])
        #expect(code == .usage)
        #expect(stdout == "")
        #expect(
            stderr == """
                <3>demo greet: unknown option '--tims'; did you mean '--times'?
                Usage: demo greet [<options>] NAME
                See 'demo greet --help'.

                """)
    }

    @Test func validateRunsBeforeTheCommand() async {
        let (code, stdout, stderr) = await run(["greet", "nobody"])
        #expect(code == .usage)
        #expect(stdout == "")
        #expect(stderr.hasPrefix("<3>demo greet: NAME must name somebody\n"))
    }

    @Test func aReportableErrorGivesItsLineAndExitCode() async {
        let (code, _, stderr) = await run(["disk", "check"])
        #expect(code == .ioError)
        #expect(stderr == "<3>demo disk check: disk full; free some space\n")
    }

    @Test func anUnknownCommandGetsADidYouMean() async {
        let (code, _, stderr) = await run(["gret"])
        #expect(code == .usage)
        #expect(stderr.hasPrefix("demo: unknown command 'gret'; did you mean 'greet'?\n"))
    }

    @Test func theToolsHelpListsCommandsSharedOptionsAndExitCodes() async {
        let (code, stdout, _) = await run(["--help"])
        #expect(code == .success)
        #expect(stdout.contains("\nCOMMANDS:\n  greet       Greet someone.\n  disk check  Fail as a full disk does.\n"))
        #expect(stdout.contains("\nSHARED OPTIONS (accepted by every command, anywhere after its name):\n  --verbose"))
        #expect(stdout.hasSuffix("\nEXIT CODES:\n  0   success\n  74  the disk is full\n"))
    }

    @Test func aSingleCommandToolParsesArgvAsThatCommand() async {
        let single = CommandLineTool<DemoContext>(name: "greeter", version: "0.9", abstract: "Greets.", singleCommand: Greet.self)
        let (code, stdout, _) = await run(["bob"], tool: single)
        #expect(code == .success)
        #expect(stdout == "hello bob\n")
        let (_, help, _) = await run(["--help"], tool: single)
        #expect(help.contains("\nUSAGE: greet [<options>] NAME\n"))
        #expect(await run(["--version"], tool: single).1 == "greeter 0.9\n")
    }
}
