// libFuzzer harness: the client's decoding of API answers (thread, deletion, message
// list and error bodies) and the error it builds, which must never carry the key.
// Built by scripts/fuzz with Sources/ThreadsAPI/**/*.swift into one module, linked with the JSON module.
//
// The key is put into every place an answer has: each error field (message, type, param,
// code), the x-request-id, Location and Retry-After headers, and the body at a position the
// input chooses, whole or masked the way OpenAI's 401 shows it.
import Foundation

private let fuzzKey = "sk-fuzz-0123456789abcdefWXYZ"
private let key = try! APIKey(fuzzKey)
private let client: ThreadsClient = {
    let configuration = APIConfiguration(provider: .custom, baseURL: "http://127.0.0.1:9")
    let transport = ClosureTransport { _ in HTTPResponse(status: 500) }
    return try! ThreadsClient(configuration: configuration, key: key, transport: transport)
}()
/// Every 8-character piece of the key: none may survive.
private let pieces: [String] = {
    let characters = Array(fuzzKey)
    return (0...(characters.count - 8)).map { String(characters[$0..<($0 + 8)]) }
}()

private func check(_ text: String, _ place: String) {
    for piece in pieces {
        precondition(!text.contains(piece), "a piece of the key leaked into \(place): \(text)")
    }
}

private func jsonString(_ text: String) -> String {
    let data = try! JSONEncoder().encode(text)
    return String(decoding: data, as: UTF8.self)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAPIAnswer(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let input = Data(UnsafeBufferPointer(start: data, count: count))
    let decoder = JSONDecoder()
    _ = try? decoder.decode(ThreadObject.self, from: input)
    _ = try? decoder.decode(DeletionStatus.self, from: input)
    _ = try? decoder.decode(MessageList.self, from: input)
    _ = try? decoder.decode(MessageObject.self, from: input)
    let selector = Int(input.first ?? 0)
    let status = 300 + selector % 300
    let text = String(decoding: input, as: UTF8.self)
    let masked = "sk-fuzz-" + String(repeating: "*", count: 3 + selector % 20) + "WXYZ"
    let echo = selector & 1 == 0 ? fuzzKey : masked
    // The input's bytes with the key spliced in where the input says.
    var body = input
    body.insert(contentsOf: Array(echo.utf8), at: body.isEmpty ? 0 : (selector * 7) % body.count)
    let headers = [
        "retry-after": text.prefix(16) + echo, "location": "http://elsewhere.example/" + echo + text.prefix(32),
        "x-request-id": String(text.prefix(8)) + fuzzKey,
    ]
    let envelope = """
        {"error":{"message":\(jsonString(text + echo)),"type":\(jsonString(echo + text)),\
        "param":\(jsonString(text.prefix(50) + echo)),"code":\(jsonString(echo))}}
        """
    for response in [
        HTTPResponse(status: status, headers: headers, body: body),
        HTTPResponse(status: 400 + selector % 200, headers: headers, body: Data(envelope.utf8)),
    ] {
        let error = client.makeError(response: response, failure: nil, attempts: 1, operation: "GET /threads/x")
        check(error.description, "an error's description")
        for field in [error.errorType, error.code, error.param, error.requestID] { check(field ?? "", "an error field") }
        precondition(
            text.contains("WXYZ") || !error.description.contains("WXYZ"), "the key's last four leaked: \(error.description)")
    }
    if let id = key.requestID(String(text.prefix(40)) + fuzzKey) { check(id, "a request id") }
    return 0
}
