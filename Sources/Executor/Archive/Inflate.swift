/// DEFLATE decompression (RFC 1951): stored, fixed and dynamic Huffman blocks.
///
/// Reads back any archive, also one recompressed by `gzip -9`, for `archive show`.
enum Inflate {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// A canonical Huffman code as counts per length and symbols in code order.
    struct Huffman {
        var counts = [Int](repeating: 0, count: 16)
        var symbols: [Int]

        init(lengths: [Int]) throws {
            symbols = [Int](repeating: 0, count: lengths.count)
            for length in lengths { counts[length] += 1 }
            counts[0] = 0
            var offsets = [Int](repeating: 0, count: 16)
            for length in 1..<16 { offsets[length] = offsets[length - 1] + counts[length - 1] }
            for (symbol, length) in lengths.enumerated() where length != 0 {
                symbols[offsets[length]] = symbol
                offsets[length] += 1
            }
        }
    }

    struct BitReader {
        let bytes: [UInt8]
        var position: Int
        var buffer: UInt32 = 0
        var count = 0

        mutating func bits(_ needed: Int) throws -> Int {
            while count < needed {
                guard position < bytes.count else { throw Failure(description: "the compressed data ends early") }
                buffer |= UInt32(bytes[position]) << UInt32(count)
                position += 1
                count += 8
            }
            let value = Int(buffer & ((1 << UInt32(needed)) - 1))
            buffer >>= UInt32(needed)
            count -= needed
            return value
        }

        mutating func decode(_ code: Huffman) throws -> Int {
            var value = 0
            var first = 0
            var index = 0
            for length in 1..<16 {
                value |= try bits(1)
                let count = code.counts[length]
                if value - count < first { return code.symbols[index + (value - first)] }
                index += count
                first += count
                first <<= 1
                value <<= 1
            }
            throw Failure(description: "an invalid huffman code")
        }

        mutating func alignToByte() {
            buffer = 0
            count = 0
        }
    }

    /// Decompresses the DEFLATE stream starting at `start`; returns the bytes and where the stream ended.
    static func decompress(_ input: [UInt8], from start: Int = 0) throws -> (output: [UInt8], end: Int) {
        var reader = BitReader(bytes: input, position: start)
        var output: [UInt8] = []
        output.reserveCapacity(input.count * 4)
        var final = false
        while !final {
            final = try reader.bits(1) == 1
            switch try reader.bits(2) {
            case 0:
                reader.alignToByte()
                guard reader.position + 4 <= input.count else { throw Failure(description: "a stored block ends early") }
                let length = Int(input[reader.position]) | Int(input[reader.position + 1]) << 8
                let complement = Int(input[reader.position + 2]) | Int(input[reader.position + 3]) << 8
                guard length == (~complement & 0xFFFF) else { throw Failure(description: "a stored block's length is damaged") }
                reader.position += 4
                guard reader.position + length <= input.count else { throw Failure(description: "a stored block ends early") }
                output += input[reader.position..<reader.position + length]
                reader.position += length
            case 1:
                try inflateBlock(&reader, &output, literals: fixedLiterals, distances: fixedDistances)
            case 2:
                let (literals, distances) = try readDynamicCodes(&reader)
                try inflateBlock(&reader, &output, literals: literals, distances: distances)
            default:
                throw Failure(description: "a block of reserved type 3")
            }
        }
        return (output, reader.position)
    }

    static func inflateBlock(_ reader: inout BitReader, _ output: inout [UInt8], literals: Huffman, distances: Huffman) throws {
        while true {
            let symbol = try reader.decode(literals)
            if symbol < 256 {
                output.append(UInt8(symbol))
            } else if symbol == 256 {
                return
            } else {
                let code = symbol - 257
                guard code < 29 else { throw Failure(description: "an invalid length code") }
                let length = Deflate.lengthBase[code] + (try reader.bits(Deflate.lengthExtra[code]))
                let distanceCode = try reader.decode(distances)
                guard distanceCode < 30 else { throw Failure(description: "an invalid distance code") }
                let distance = Deflate.distanceBase[distanceCode] + (try reader.bits(Deflate.distanceExtra[distanceCode]))
                guard distance <= output.count else { throw Failure(description: "a distance before the start") }
                let from = output.count - distance
                for offset in 0..<length { output.append(output[from + offset]) }
            }
        }
    }

    static func readDynamicCodes(_ reader: inout BitReader) throws -> (Huffman, Huffman) {
        let literalCount = try reader.bits(5) + 257
        let distanceCount = try reader.bits(5) + 1
        let codeLengthCount = try reader.bits(4) + 4
        let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
        var codeLengths = [Int](repeating: 0, count: 19)
        for index in 0..<codeLengthCount { codeLengths[order[index]] = try reader.bits(3) }
        let lengthCode = try Huffman(lengths: codeLengths)
        var lengths: [Int] = []
        while lengths.count < literalCount + distanceCount {
            let symbol = try reader.decode(lengthCode)
            switch symbol {
            case 0..<16: lengths.append(symbol)
            case 16:
                guard let last = lengths.last else { throw Failure(description: "a repeat with nothing before it") }
                lengths += Array(repeating: last, count: 3 + (try reader.bits(2)))
            case 17: lengths += Array(repeating: 0, count: 3 + (try reader.bits(3)))
            default: lengths += Array(repeating: 0, count: 11 + (try reader.bits(7)))
            }
        }
        guard lengths.count == literalCount + distanceCount else { throw Failure(description: "too many code lengths") }
        return (
            try Huffman(lengths: Array(lengths[0..<literalCount])), try Huffman(lengths: Array(lengths[literalCount...]))
        )
    }

    static let fixedLiterals: Huffman = {
        var lengths = [Int](repeating: 8, count: 288)
        for index in 144..<256 { lengths[index] = 9 }
        for index in 256..<280 { lengths[index] = 7 }
        return try! Huffman(lengths: lengths)
    }()

    static let fixedDistances: Huffman = try! Huffman(lengths: [Int](repeating: 5, count: 30))
}
