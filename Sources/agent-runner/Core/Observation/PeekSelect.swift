import FleetCore

/// `peek --select a.b.0.c`: a dot path into the document; numeric segments index lists.
public enum PeekSelect {
    public struct Miss: Error, Sendable, Equatable, CustomStringConvertible {
        public var segment: String
        public var path: String
        public var description: String { "path segment '\(segment)' not found in select path '\(path)'" }
    }

    public static func select(_ path: String, in document: JSONValue) throws(Miss) -> JSONValue {
        var current = document
        for segment in path.split(separator: ".", omittingEmptySubsequences: false).map(String.init) {
            switch current {
            case .object(let object):
                guard let next = object[segment] else { throw Miss(segment: segment, path: path) }
                current = next
            case .array(let array):
                guard let index = Int(segment), array.indices.contains(index) else { throw Miss(segment: segment, path: path) }
                current = array[index]
            default:
                throw Miss(segment: segment, path: path)
            }
        }
        return current
    }
}
