/// A small, fast, seedable generator (SplitMix64) so seeding and faults are reproducible.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in `0..<bound` (multiply-shift; the bias is negligible for the small bounds used here).
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        return Int(((next() >> 32) &* UInt64(bound)) >> 32)
    }

    /// A value in `0..<1`.
    public mutating func unit() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)

    /// `prefix` followed by `count` random alphanumerics, like OpenAI's `thread_…` and `msg_…` ids.
    public mutating func identifier(prefix: StaticString, count: Int = 24) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(prefix.utf8CodeUnitCount + count)
        prefix.withUTF8Buffer { bytes.append(contentsOf: $0) }
        var pool: UInt64 = 0
        var left = 0
        for _ in 0..<count {
            if left == 0 {
                pool = next()
                left = 5
            }
            // 62 * 62^… fits: take 12 bits a character and reduce them to 0..<62.
            let chunk = pool & 0xFFF
            pool >>= 12
            left -= 1
            bytes.append(Self.alphabet[Int((chunk &* 62) >> 12)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
