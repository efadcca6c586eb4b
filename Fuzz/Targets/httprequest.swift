// libFuzzer harness: the emulator's HTTP/1.1 request parser, fed in two pieces.
// Built by scripts/fuzz with Sources/Emulator/HTTP/*.swift into one module, linked with the JSON module.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPRequest(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: count))
    // Small limits so the fuzzer reaches them.
    let limits = HTTPLimits(maxHeaderBytes: 512, maxHeaderCount: 8, maxBodyBytes: 1024)
    var parser = HTTPRequestParser(limits: limits)
    let cut = bytes.isEmpty ? 0 : Int(bytes[0]) % (bytes.count + 1)
    var pieces = [bytes[..<cut], bytes[cut...]]
    var steps = 0
    while true {
        steps += 1
        precondition(steps < 100_000, "the parser does not make progress")
        switch parser.next() {
        case .request(let request):
            precondition(request.body.count <= limits.maxBodyBytes, "a body over the limit was accepted")
            continue
        case .failure:
            return 0
        case .needMoreData:
            if pieces.isEmpty { return 0 }
            parser.append(pieces.removeFirst())
        }
    }
}
