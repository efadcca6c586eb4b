// libFuzzer harness: the client's decoding of API answers (thread, deletion, message
// list and error bodies) and the error it builds, which must never carry the key.
// Built by scripts/fuzz with Sources/ThreadsAPI/**/*.swift into one module.
import Foundation

private let fuzzKey = "sk-fuzz-0123456789abcdef"
private let client: ThreadsClient = {
    let configuration = APIConfiguration(provider: .custom, baseURL: "http://127.0.0.1:9")
    let transport = ClosureTransport { _ in HTTPResponse(status: 500) }
    return try! ThreadsClient(configuration: configuration, key: try! APIKey(fuzzKey), transport: transport)
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAPIAnswer(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    var body = Data(UnsafeBufferPointer(start: data, count: count))
    let decoder = JSONDecoder()
    _ = try? decoder.decode(ThreadObject.self, from: body)
    _ = try? decoder.decode(DeletionStatus.self, from: body)
    _ = try? decoder.decode(MessageList.self, from: body)
    _ = try? decoder.decode(MessageObject.self, from: body)
    // The same bytes as an error answer that echoes the key back.
    let status = 300 + Int(body.first ?? 0) % 300
    body.append(contentsOf: Array(fuzzKey.utf8))
    let response = HTTPResponse(
        status: status, headers: ["retry-after": "1", "location": "http://elsewhere.example/", "x-request-id": "req_1"],
        body: body)
    let error = client.makeError(response: response, failure: nil, attempts: 1, operation: "GET /threads/x")
    precondition(!error.description.contains(fuzzKey), "the key leaked into an error: \(error.description)")
    return 0
}
