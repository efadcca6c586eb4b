import Foundation

/// `threadkeeper-bench NAME [ARGS…]`: in-process benchmarks that print their figures.
///
/// Build in release mode (`scripts/bench NAME` does). Each benchmark lives in its own
/// file and registers itself in `Benchmarks.all`.
@main
struct Entrypoint {
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard let name = arguments.first, let benchmark = Benchmarks.all[name] else {
            let names = Benchmarks.all.keys.sorted().joined(separator: ", ")
            FileHandle.standardError.write(Data("usage: threadkeeper-bench NAME [ARGS…]; names: \(names)\n".utf8))
            exit(64)
        }
        do {
            try await benchmark(Array(arguments.dropFirst()))
        } catch {
            FileHandle.standardError.write(Data("threadkeeper-bench \(name): \(error)\n".utf8))
            exit(1)
        }
    }
}
