import CZlib

/// The gzip file format (RFC 1952) through zlib: what `gzip -9` writes, what `zcat` reads.
///
/// This file is the only importer of `CZlib`; no zlib pointer leaves it.
public enum Gzip {
    /// The most `decompress` inflates by default: larger than any document `ArchiveStore` writes
    /// (it refuses to write one past this), so a hostile file cannot make `archive show` take
    /// unbounded memory.
    public static let maximumInflatedSize = 1 << 30

    /// A gzip member holding `data`, compressed at zlib's best compression (level 9).
    public static func compress(_ data: [UInt8], modificationTime: UInt32 = 0) -> [UInt8] {
        let stream = ZStream()
        defer { stream.release { deflateEnd($0) } }
        var status = threadkeeper_deflate_init_gzip(stream.pointer, Z_BEST_COMPRESSION)
        guard status == Z_OK else { preconditionFailure("zlib deflateInit2 failed: \(status)") }
        stream.started = true
        // "If deflateSetHeader is not used, the default gzip header has text false, the time set
        // to zero, and os set to 255": set the time and Unix (3), as the files had before zlib.
        let header = UnsafeMutablePointer<gz_header>.allocate(capacity: 1)
        defer { header.deallocate() }
        header.initialize(to: gz_header())
        header.pointee.time = uLong(modificationTime)
        header.pointee.os = 3
        status = deflateSetHeader(stream.pointer, header)
        guard status == Z_OK else { preconditionFailure("zlib deflateSetHeader failed: \(status)") }
        // "deflateBound() returns an upper bound on the compressed size after deflation of
        // sourceLen bytes ... so that one call of deflate(Z_FINISH) completes."
        var out = [UInt8](repeating: 0, count: Int(deflateBound(stream.pointer, uLong(data.count))))
        let produced = data.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                // zlib only reads through next_in (declared without const unless ZLIB_CONST).
                stream.pointer.pointee.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
                stream.pointer.pointee.avail_in = uInt(source.count)
                stream.pointer.pointee.next_out = target.baseAddress
                stream.pointer.pointee.avail_out = uInt(target.count)
                status = deflate(stream.pointer, Z_FINISH)
                defer {
                    stream.pointer.pointee.next_in = nil
                    stream.pointer.pointee.next_out = nil
                }
                return target.count - Int(stream.pointer.pointee.avail_out)
            }
        }
        guard status == Z_STREAM_END else { preconditionFailure("zlib deflate did not finish in deflateBound's space: \(status)") }
        out.removeSubrange(produced...)
        return out
    }

    /// The data of a gzip file (every member, concatenated); throws `ArchiveError.damaged` when
    /// the file is not gzip, is cut short, fails its checksum or inflates past `limit` bytes.
    public static func decompress(_ file: [UInt8], limit: Int = maximumInflatedSize) throws(ArchiveError) -> [UInt8] {
        guard file.count >= 18, file[0] == 0x1F, file[1] == 0x8B else { throw .damaged("not a gzip file") }
        let stream = ZStream()
        defer { stream.release { inflateEnd($0) } }
        let initialized = threadkeeper_inflate_init_gzip(stream.pointer)
        guard initialized == Z_OK else { preconditionFailure("zlib inflateInit2 failed: \(initialized)") }
        stream.started = true
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var failure: ArchiveError?
        file.withUnsafeBufferPointer { source in
            chunk.withUnsafeMutableBufferPointer { target in
                let z = stream.pointer
                defer {
                    z.pointee.next_in = nil
                    z.pointee.next_out = nil
                }
                z.pointee.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
                z.pointee.avail_in = uInt(source.count)
                while true {
                    z.pointee.next_out = target.baseAddress
                    z.pointee.avail_out = uInt(target.count)
                    let status = inflate(z, Z_NO_FLUSH)
                    let produced = target.count - Int(z.pointee.avail_out)
                    if result.count + produced > limit {
                        failure = .damaged("it inflates to more than \(limit) bytes, more than any archive threadkeeper writes")
                        return
                    }
                    result.append(contentsOf: target[0..<produced])
                    switch status {
                    case Z_STREAM_END:
                        // A gzip file may hold several members ("gzip -dc a.gz b.gz"); read each.
                        guard z.pointee.avail_in > 0 else { return }
                        guard inflateReset(z) == Z_OK else { preconditionFailure("zlib inflateReset failed") }
                    case Z_OK:
                        continue
                    case Z_BUF_ERROR where z.pointee.avail_in == 0:
                        failure = .damaged("the file ends early (cut short while written or copied)")
                        return
                    case Z_DATA_ERROR:
                        let reason = z.pointee.msg.map { String(cString: $0) } ?? "invalid compressed data"
                        failure = .damaged("\(reason) (zlib had read \(source.count - Int(z.pointee.avail_in)) of \(source.count) bytes)")
                        return
                    case Z_MEM_ERROR:
                        failure = .damaged("zlib ran out of memory inflating it")
                        return
                    default:
                        failure = .damaged(
                            "zlib inflate failed (\(status)) after reading \(source.count - Int(z.pointee.avail_in)) of \(source.count) bytes"
                        )
                        return
                    }
                }
            }
        }
        if let failure { throw failure }
        return result
    }
}

/// A `z_stream` at a fixed address: zlib keeps a pointer back to it ("strm->state->strm ==
/// strm" is checked on every call), so it must not move between calls as a Swift value may.
private final class ZStream {
    let pointer: UnsafeMutablePointer<z_stream>
    var started = false

    init() {
        pointer = .allocate(capacity: 1)
        pointer.initialize(to: z_stream())
    }

    /// Ends the stream with `end` (deflateEnd or inflateEnd) if it was initialized.
    func release(_ end: (UnsafeMutablePointer<z_stream>) -> Int32) {
        if started { _ = end(pointer) }
        started = false
    }

    deinit {
        pointer.deinitialize(count: 1)
        pointer.deallocate()
    }
}
