import Foundation
import ThreadkeeperCLI
import ThreadsAPI

@main
struct Entrypoint {
    static func main() async {
        ProcessHardening.apply()
        let code = await Threadkeeper.tool.run(Array(CommandLine.arguments.dropFirst()))
        exit(code.rawValue)
    }
}
