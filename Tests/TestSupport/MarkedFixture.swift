/// A fixture whose fault position is marked with `‸` (removed before parsing).
///
/// Lines and columns count from 1; columns count Unicode scalars, as diagnostics do.
public struct MarkedFixture: Sendable, CustomStringConvertible {
    public var text: String
    public var line: Int
    public var column: Int

    public init(_ marked: String) {
        var line = 1
        var column = 1
        var found: (Int, Int)?
        var out = String.UnicodeScalarView()
        for scalar in marked.unicodeScalars {
            if scalar == "‸" {
                found = (line, column)
                continue
            }
            out.append(scalar)
            if scalar == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        precondition(found != nil, "fixture has no ‸ marker: \(marked)")
        self.text = String(out)
        (self.line, self.column) = found!
    }

    public var description: String { text }
}
