import CommandLineKit
import Foundation
import JSON
import Ledger
import ThreadsAPI

/// Pieces the commands that call the API share.
enum APICommandSupport {
    /// Parses `key=value` arguments; the value may be empty and may contain `=`.
    static func metadataPairs(_ arguments: [String], command: String) throws -> [String: String] {
        var metadata: [String: String] = [:]
        for argument in arguments {
            guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else {
                throw UsageError("metadata '\(argument)' is not key=value", command: command)
            }
            metadata[String(argument[..<equals])] = String(argument[argument.index(after: equals)...])
        }
        return metadata
    }

    /// Checks ids before anything is sent or recorded; duplicates are dropped, order kept.
    static func validIDs(_ ids: [String]) throws -> [String] {
        var seen = Set<String>()
        var result: [String] = []
        for id in ids {
            try ThreadID.validate(id)
            if seen.insert(id).inserted { result.append(id) }
        }
        return result
    }

    /// A thread as the API returns it, one line of JSON with sorted keys.
    static func json(_ thread: ThreadObject) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(thread), as: UTF8.self)
    }

    /// One line of JSON for a plain object.
    static func json(_ object: [String: JSONValue]) -> String {
        JSONText.encode(.object(sorting: object))
    }

    /// `k=v, k2=v2` in key order, or `none`.
    static func describe(_ metadata: [String: String]) -> String {
        metadata.isEmpty ? "none" : metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
    }

    /// What the ledger stores as an action's error: the API's one-line description.
    static func ledgerError(_ error: any Error) -> String {
        if let error = error as? APIError { return error.description }
        return String(describing: error)
    }

    /// The exit code a set of outcomes deserves: the breaker or a refused key make the API unavailable.
    static func exitCode(failures: [any Error]) -> ExitCode {
        if failures.contains(where: { ($0 as? APIError)?.isUnavailable == true }) { return .unavailable }
        return failures.isEmpty ? .success : .failure
    }
}
