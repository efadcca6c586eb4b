/// DEFLATE compression (RFC 1951) with LZ77 matching and the fixed Huffman codes.
///
/// Fixed codes need no code tables in the stream, so the encoder stays small; on thread JSON
/// (repeated keys, repeated phrases) it reaches most of what dynamic codes would. zlib is not
/// linked: the project allows C only for SQLite and systemd.
enum Deflate {
    static let windowSize = 32_768
    static let minimumMatch = 3
    static let maximumMatch = 258
    /// How many earlier positions with the same 3-byte prefix are tried; longer is slower.
    static let maximumChain = 48
    static let hashBits = 15

    /// The compressed form of `input`, one final block of fixed Huffman codes.
    static func compress(_ input: [UInt8]) -> [UInt8] {
        var out = BitWriter(capacity: input.count / 2 + 64)
        out.write(1, bits: 1)  // BFINAL
        out.write(1, bits: 2)  // BTYPE 01: fixed Huffman codes
        let count = input.count
        let hashSize = 1 << hashBits
        var head = [Int32](repeating: -1, count: hashSize)
        var previous = [Int32](repeating: -1, count: windowSize)
        input.withUnsafeBufferPointer { bytes in
            func hash(_ position: Int) -> Int {
                let value = (UInt32(bytes[position]) << 16) | (UInt32(bytes[position + 1]) << 8) | UInt32(bytes[position + 2])
                return Int((value &* 2_654_435_761) >> UInt32(32 - hashBits))
            }
            func insert(_ position: Int) {
                guard position + minimumMatch <= count else { return }
                let key = hash(position)
                previous[position & (windowSize - 1)] = head[key]
                head[key] = Int32(position)
            }
            var position = 0
            while position < count {
                var bestLength = 0
                var bestDistance = 0
                if position + minimumMatch <= count {
                    var candidate = Int(head[hash(position)])
                    var chain = maximumChain
                    let limit = min(maximumMatch, count - position)
                    while candidate >= 0, position - candidate <= windowSize, chain > 0 {
                        if bytes[candidate + bestLength] == bytes[position + bestLength] || bestLength == 0 {
                            var length = 0
                            while length < limit, bytes[candidate + length] == bytes[position + length] { length += 1 }
                            if length > bestLength {
                                bestLength = length
                                bestDistance = position - candidate
                                if length == limit { break }
                            }
                        }
                        let next = Int(previous[candidate & (windowSize - 1)])
                        if next >= candidate { break }
                        candidate = next
                        chain -= 1
                    }
                }
                if bestLength >= minimumMatch {
                    writeLength(bestLength, to: &out)
                    writeDistance(bestDistance, to: &out)
                    for offset in 0..<bestLength { insert(position + offset) }
                    position += bestLength
                } else {
                    writeLiteral(Int(bytes[position]), to: &out)
                    insert(position)
                    position += 1
                }
            }
        }
        writeLiteral(256, to: &out)  // end of block
        return out.finish()
    }

    /// Writes a literal/length symbol with the fixed code (RFC 1951 3.2.6).
    static func writeLiteral(_ symbol: Int, to out: inout BitWriter) {
        switch symbol {
        case 0...143: out.writeCode(0x30 + symbol, length: 8)
        case 144...255: out.writeCode(0x190 + symbol - 144, length: 9)
        case 256...279: out.writeCode(symbol - 256, length: 7)
        default: out.writeCode(0xC0 + symbol - 280, length: 8)
        }
    }

    static func writeLength(_ length: Int, to out: inout BitWriter) {
        var code = 28
        while lengthBase[code] > length { code -= 1 }
        writeLiteral(257 + code, to: &out)
        let extra = lengthExtra[code]
        if extra > 0 { out.write(UInt32(length - lengthBase[code]), bits: extra) }
    }

    static func writeDistance(_ distance: Int, to out: inout BitWriter) {
        var code = 29
        while distanceBase[code] > distance { code -= 1 }
        out.writeCode(code, length: 5)
        let extra = distanceExtra[code]
        if extra > 0 { out.write(UInt32(distance - distanceBase[code]), bits: extra) }
    }

    static let lengthBase = [
        3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
    ]
    static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase = [
        1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
        8193, 12289, 16385, 24577,
    ]
    static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
}

/// Bits packed least-significant first, as DEFLATE streams are.
struct BitWriter {
    private(set) var bytes: [UInt8]
    private var buffer: UInt64 = 0
    private var count = 0

    init(capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Writes the low `bits` of `value`, least significant bit first (extra bits, header fields).
    mutating func write(_ value: UInt32, bits: Int) {
        buffer |= UInt64(value & ((1 << UInt32(bits)) &- 1)) << UInt64(count)
        count += bits
        while count >= 8 {
            bytes.append(UInt8(truncatingIfNeeded: buffer))
            buffer >>= 8
            count -= 8
        }
    }

    /// Writes a Huffman code, which DEFLATE packs most significant bit first.
    mutating func writeCode(_ code: Int, length: Int) {
        var reversed: UInt32 = 0
        var value = UInt32(code)
        for _ in 0..<length {
            reversed = (reversed << 1) | (value & 1)
            value >>= 1
        }
        write(reversed, bits: length)
    }

    /// The bytes, the last one padded with zero bits.
    mutating func finish() -> [UInt8] {
        if count > 0 {
            bytes.append(UInt8(truncatingIfNeeded: buffer))
            buffer = 0
            count = 0
        }
        return bytes
    }
}
