/// A unified diff (`diff -u` layout) of two texts, so the operator sees exactly which lines
/// `agent-runner migrate` changes before and after it writes.
enum LineDiff {
    enum Operation: Equatable {
        /// A line present in both, at these 0-based indices.
        case same(Int, Int)
        case removed(Int)
        case added(Int)
    }

    /// The diff of `old` and `new`, empty when they are equal.
    static func unified(old: String, new: String, oldLabel: String, newLabel: String, context: Int = 3) -> String {
        let oldLines = lines(old)
        let newLines = lines(new)
        let operations = self.operations(oldLines, newLines)
        guard operations.contains(where: { if case .same = $0 { return false } else { return true } }) else {
            return ""
        }
        var out = "--- \(oldLabel)\n+++ \(newLabel)\n"
        var index = 0
        while index < operations.count {
            guard let change = operations[index...].firstIndex(where: { !isSame($0) }) else { break }
            var end = change
            // Extend the hunk while the next change is within 2 * context lines.
            while let next = operations[(end + 1)...].firstIndex(where: { !isSame($0) }), next - end <= 2 * context {
                end = next
            }
            let start = max(index, change - context)
            let stop = min(operations.count, end + 1 + context)
            let hunk = operations[start..<stop]
            let oldStart = hunk.compactMap(oldIndex).first.map { $0 + 1 } ?? firstOldLine(before: start, operations)
            let newStart = hunk.compactMap(newIndex).first.map { $0 + 1 } ?? firstNewLine(before: start, operations)
            let oldCount = hunk.compactMap(oldIndex).count
            let newCount = hunk.compactMap(newIndex).count
            out += "@@ -\(range(oldStart, oldCount)) +\(range(newStart, newCount)) @@\n"
            for operation in hunk {
                switch operation {
                case .same(let line, _): out += " " + oldLines[line] + "\n"
                case .removed(let line): out += "-" + oldLines[line] + "\n"
                case .added(let line): out += "+" + newLines[line] + "\n"
                }
            }
            index = stop
        }
        return out
    }

    /// The edit script: a longest common subsequence of lines after the common head and tail
    /// are set aside (a migration changes a few lines; the quadratic part stays small).
    static func operations(_ old: [String], _ new: [String]) -> [Operation] {
        var head = 0
        while head < old.count, head < new.count, old[head] == new[head] { head += 1 }
        var tail = 0
        while tail < old.count - head, tail < new.count - head, old[old.count - 1 - tail] == new[new.count - 1 - tail] {
            tail += 1
        }
        var result = (0..<head).map { Operation.same($0, $0) }
        let oldMiddle = Array(old[head..<old.count - tail])
        let newMiddle = Array(new[head..<new.count - tail])
        if oldMiddle.count * newMiddle.count > 4_000_000 {
            result += oldMiddle.indices.map { .removed(head + $0) } + newMiddle.indices.map { .added(head + $0) }
        } else {
            result += middle(oldMiddle, newMiddle).map { operation in
                switch operation {
                case .same(let a, let b): return .same(head + a, head + b)
                case .removed(let a): return .removed(head + a)
                case .added(let b): return .added(head + b)
                }
            }
        }
        result += (0..<tail).map { .same(old.count - tail + $0, new.count - tail + $0) }
        return result
    }

    private static func middle(_ old: [String], _ new: [String]) -> [Operation] {
        let columns = new.count + 1
        var lengths = [Int](repeating: 0, count: (old.count + 1) * columns)
        for i in stride(from: old.count - 1, through: 0, by: -1) {
            for j in stride(from: new.count - 1, through: 0, by: -1) {
                lengths[i * columns + j] =
                    old[i] == new[j]
                    ? lengths[(i + 1) * columns + j + 1] + 1
                    : max(lengths[(i + 1) * columns + j], lengths[i * columns + j + 1])
            }
        }
        var result: [Operation] = []
        var i = 0
        var j = 0
        while i < old.count || j < new.count {
            if i < old.count, j < new.count, old[i] == new[j] {
                result.append(.same(i, j))
                i += 1
                j += 1
            } else if i < old.count, j == new.count || lengths[(i + 1) * columns + j] >= lengths[i * columns + j + 1] {
                result.append(.removed(i))
                i += 1
            } else {
                result.append(.added(j))
                j += 1
            }
        }
        return result
    }

    /// The lines of `text` without their line breaks (a final line break ends the last line).
    static func lines(_ text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    private static func isSame(_ operation: Operation) -> Bool {
        if case .same = operation { return true }
        return false
    }

    private static func oldIndex(_ operation: Operation) -> Int? {
        switch operation {
        case .same(let line, _), .removed(let line): return line
        case .added: return nil
        }
    }

    private static func newIndex(_ operation: Operation) -> Int? {
        switch operation {
        case .same(_, let line), .added(let line): return line
        case .removed: return nil
        }
    }

    private static func firstOldLine(before position: Int, _ operations: [Operation]) -> Int {
        operations[..<position].compactMap(oldIndex).last.map { $0 + 1 } ?? 0
    }

    private static func firstNewLine(before position: Int, _ operations: [Operation]) -> Int {
        operations[..<position].compactMap(newIndex).last.map { $0 + 1 } ?? 0
    }

    private static func range(_ start: Int, _ count: Int) -> String {
        count == 1 ? "\(start)" : "\(start),\(count)"
    }
}
