/// `--select a.b.0.c`: a dot path into a JSON document, numeric segments indexing arrays. Both
/// `agent-runner peek --select` and `fleetctl peek --select` walk with it, so one path means
/// the same on a host and across the fleet, and fails with the same words.
public enum JSONSelect {
    /// A segment the document does not have: `path segment 'nope' not found in select path 'nope.x'`.
    public struct Miss: Error, Sendable, Equatable, CustomStringConvertible {
        public var segment: String
        public var path: String

        public init(segment: String, path: String) {
            self.segment = segment
            self.path = path
        }

        public var description: String { "path segment '\(segment)' not found in select path '\(path)'" }
    }

    /// The value at `path`: object keys by name, array items by index (an empty segment is the
    /// key `""`).
    public static func select(_ path: String, in document: JSONValue) throws(Miss) -> JSONValue {
        var current = document
        for segment in path.split(separator: ".", omittingEmptySubsequences: false).map(String.init) {
            switch current {
            case .object(let object):
                guard let next = object[segment] else { throw Miss(segment: segment, path: path) }
                current = next
            case .array(let items):
                guard let index = Int(segment), items.indices.contains(index) else {
                    throw Miss(segment: segment, path: path)
                }
                current = items[index]
            default:
                throw Miss(segment: segment, path: path)
            }
        }
        return current
    }
}
