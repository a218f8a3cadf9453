import FleetCore

/// `--select a.b.0.c`: a dot path into a JSON document, numeric segments indexing arrays, as
/// agent-runner's own `peek --select`.
public enum JSONSelect {
    public struct Miss: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    public static func select(_ path: String, in document: JSONValue) throws(Miss) -> JSONValue {
        var current = document
        for segment in path.split(separator: ".", omittingEmptySubsequences: false).map(String.init) {
            if case .array(let items) = current, let index = Int(segment), items.indices.contains(index) {
                current = items[index]
            } else if case .object(let object) = current, let value = object[segment] {
                current = value
            } else {
                throw Miss(description: "path segment '\(segment)' not found in select path '\(path)'")
            }
        }
        return current
    }
}
