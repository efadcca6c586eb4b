import Foundation
import HTTPHelper
import ThreadsAPI

/// `threadkeeper-http`: sends the HTTP requests of the threadkeeper process that started it
/// (see `HelperTransport`); not meant to be run by hand.
@main
struct Entrypoint {
    static func main() {
        ProcessHardening.apply()
        HelperServer.ignoreStopSignals()
        let arguments = Array(CommandLine.arguments.dropFirst())
        var maximumConnections = 8
        if let index = arguments.firstIndex(of: "--max-connections"), index + 1 < arguments.count,
            let value = Int(arguments[index + 1]), value > 0
        {
            maximumConnections = value
        }
        let transport = URLSessionTransport(
            maximumConnections: maximumConnections, reuseConnections: arguments.contains("--reuse-connections"))
        exit(HelperServer(transport: transport).serve())
    }
}
