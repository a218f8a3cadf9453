import FleetCore

/// What a TOML document means, as a map from each leaf's key path to its value, with the
/// changes a migration intends applied to it. `agent-runner migrate` compares the parsed result
/// of its text edits with the original's meaning plus the intended changes, and writes nothing
/// if they differ: a text edit can never change a value nobody asked it to change.
struct TOMLMeaning: Equatable, Sendable {
    /// A change to a document's meaning.
    enum Change: Sendable, Equatable {
        /// The value at the first path (a leaf or a whole table) now lives at the second.
        case move([String], [String])
        /// The value at the path (a leaf or a whole table) is gone.
        case remove([String])
        /// The string at the path became a one-element array.
        case wrapInArray([String])
        /// The path holds this value.
        case set([String], TOMLValue)
    }

    private(set) var leaves: [[String]: TOMLValue] = [:]

    init(_ table: TOMLTable) {
        add(table, at: [])
    }

    private mutating func add(_ table: TOMLTable, at path: [String]) {
        for (key, value) in table {
            if case .table(let sub) = value {
                add(sub, at: path + [key])
            } else {
                leaves[path + [key]] = value
            }
        }
    }

    /// Equal leaves; a NaN equals a NaN here (it is the same value in the file).
    static func == (lhs: TOMLMeaning, rhs: TOMLMeaning) -> Bool {
        lhs.leaves.count == rhs.leaves.count
            && lhs.leaves.allSatisfy { path, value in rhs.leaves[path].map { same(value, $0) } ?? false }
    }

    private static func same(_ a: TOMLValue, _ b: TOMLValue) -> Bool {
        switch (a, b) {
        case (.float(let x), .float(let y)): return x == y || (x.isNaN && y.isNaN)
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
        case (.table(let x), .table(let y)):
            return Set(x.keys) == Set(y.keys)
                && x.keys.allSatisfy { key in same(x[key] ?? .boolean(false), y[key] ?? .boolean(true)) }
        default: return a == b
        }
    }

    mutating func apply(_ change: Change) {
        switch change {
        case .move(let from, let to):
            for (path, value) in leaves where path.starts(with: from) {
                leaves[path] = nil
                leaves[to + path.dropFirst(from.count)] = value
            }
        case .remove(let prefix):
            leaves = leaves.filter { !$0.key.starts(with: prefix) }
        case .wrapInArray(let path):
            if let value = leaves[path] { leaves[path] = .array([value]) }
        case .set(let path, let value):
            leaves[path] = value
        }
    }
}
