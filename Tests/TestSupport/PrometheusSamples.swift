/// The samples of a Prometheus text exposition: `name{labels} value` lines keyed by everything
/// before the value (comments and values that are not whole numbers left out).
public func prometheusSamples(_ text: String) -> [String: Int64] {
    var samples: [String: Int64] = [:]
    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
        guard let space = line.lastIndex(of: " "), let value = Int64(line[line.index(after: space)...]) else { continue }
        samples[String(line[..<space])] = value
    }
    return samples
}
