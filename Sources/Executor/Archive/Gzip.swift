/// The gzip file format (RFC 1952) around `Deflate`, with its CRC-32.
public enum Gzip {
    /// A gzip member holding `data`, compressed with `Deflate`.
    public static func compress(_ data: [UInt8], modificationTime: UInt32 = 0) -> [UInt8] {
        var out: [UInt8] = [0x1F, 0x8B, 8, 0]
        out += littleEndian(modificationTime)
        out += [0, 3]  // XFL: none; OS: Unix
        out += Deflate.compress(data)
        out += littleEndian(CRC32.checksum(data))
        out += littleEndian(UInt32(truncatingIfNeeded: data.count))
        return out
    }

    /// The data of a gzip file (every member, concatenated); throws `ArchiveError` when damaged.
    public static func decompress(_ file: [UInt8]) throws -> [UInt8] {
        var position = 0
        var result: [UInt8] = []
        repeat {
            guard file.count - position >= 18, file[position] == 0x1F, file[position + 1] == 0x8B, file[position + 2] == 8 else {
                throw ArchiveError.damaged("not a gzip file")
            }
            let flags = file[position + 3]
            var cursor = position + 10
            if flags & 4 != 0 {  // FEXTRA
                guard cursor + 2 <= file.count else { throw ArchiveError.damaged("the gzip header ends early") }
                cursor += 2 + Int(file[cursor]) + Int(file[cursor + 1]) << 8
            }
            for flag in [UInt8(8), 16] where flags & flag != 0 {  // FNAME, FCOMMENT: zero-terminated
                while cursor < file.count, file[cursor] != 0 { cursor += 1 }
                cursor += 1
            }
            if flags & 2 != 0 { cursor += 2 }  // FHCRC
            guard cursor < file.count else { throw ArchiveError.damaged("the gzip header ends early") }
            let member: [UInt8]
            let end: Int
            do {
                (member, end) = try Inflate.decompress(file, from: cursor)
            } catch let failure as Inflate.Failure {
                throw ArchiveError.damaged(failure.description)
            }
            guard end + 8 <= file.count else { throw ArchiveError.damaged("the gzip trailer is missing") }
            let crc = readLittleEndian(file, at: end)
            let size = readLittleEndian(file, at: end + 4)
            guard crc == CRC32.checksum(member), size == UInt32(truncatingIfNeeded: member.count) else {
                throw ArchiveError.damaged("the checksum does not match the content")
            }
            result += member
            position = end + 8
        } while position < file.count
        return result
    }

    static func littleEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 24)]
    }

    static func readLittleEndian(_ bytes: [UInt8], at index: Int) -> UInt32 {
        UInt32(bytes[index]) | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2]) << 16 | UInt32(bytes[index + 3]) << 24
    }
}

/// CRC-32 as gzip and zlib use it (polynomial 0xEDB88320, reflected).
public enum CRC32 {
    static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 != 0 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }

    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}
