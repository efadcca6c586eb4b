import CommandLineKit
import Emulator

extension EmulatorError: CLIReportable {
    public var cliMessage: String { description }

    public var exitCode: ExitCode {
        switch self {
        case .badHost: return .usage
        case .socket, .output: return .ioError
        case .seedFile, .state: return .dataError
        case .file: return .noInput
        }
    }
}
