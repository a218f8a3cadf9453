/// Byte-range replacements planned against one text and applied together, so each edit can be
/// planned on the original offsets without tracking how earlier edits moved them.
struct TextEdits: Sendable {
    private struct Edit: Sendable {
        var range: Range<Int>
        var bytes: [UInt8]
        var order: Int
    }

    private var edits: [Edit] = []

    var isEmpty: Bool { edits.isEmpty }

    mutating func replace(_ range: Range<Int>, with text: String) {
        edits.append(Edit(range: range, bytes: Array(text.utf8), order: edits.count))
    }

    mutating func delete(_ range: Range<Int>) {
        replace(range, with: "")
    }

    /// Inserts `text` at `offset`; insertions at one offset keep the order they were planned in.
    mutating func insert(_ text: String, at offset: Int) {
        replace(offset..<offset, with: text)
    }

    /// The edited bytes, or nil when two edits overlap (a planning bug: never write such a text).
    func apply(to bytes: [UInt8]) -> [UInt8]? {
        let sorted = edits.sorted {
            ($0.range.lowerBound, $0.range.upperBound, $0.order) < ($1.range.lowerBound, $1.range.upperBound, $1.order)
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 256)
        var position = 0
        for edit in sorted {
            guard edit.range.lowerBound >= position, edit.range.upperBound <= bytes.count else { return nil }
            out += bytes[position..<edit.range.lowerBound]
            out += edit.bytes
            position = edit.range.upperBound
        }
        out += bytes[position...]
        return out
    }
}
