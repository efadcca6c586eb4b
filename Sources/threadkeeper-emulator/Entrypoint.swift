import EmulatorCLI
import Foundation
import ThreadsAPI

@main
struct Entrypoint {
    static func main() async {
        ProcessHardening.apply()
        let code = await EmulatorTool.tool.run(Array(CommandLine.arguments.dropFirst()), context: EmulatorContext())
        exit(code.rawValue)
    }
}
