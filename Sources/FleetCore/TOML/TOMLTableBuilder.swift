/// A mutable table under construction, carrying the bookkeeping TOML's redefinition rules need
/// (how each table came to exist) that the public, immutable `TOMLTable` does not.
///
/// It is a class so the parser can keep a reference to the table the current `[header]`
/// selected and to intermediate tables while descending key paths, without copy-on-write
/// round trips through every ancestor.
final class TOMLTableBuilder {
    /// How a table was created; decides whether headers and dotted keys may still extend it.
    enum Kind {
        /// Created only as an intermediate of a `[a.b.c]` header; may still be defined once by
        /// its own header, or extended by dotted keys.
        case implicit
        /// Defined by its own `[header]` or `[[header]]` (or is the root / an inline table);
        /// dotted keys may not reach into it from outside and it cannot be defined again.
        case explicit
        /// Created by a dotted key (`a.b = 1`); further dotted keys may extend it, headers may
        /// add sub-tables below it, but it cannot be defined by a header.
        case dotted
    }

    /// What a key of a table under construction holds.
    enum Entry {
        /// A finished, immutable value: scalar, static array or inline table.
        case value(TOMLValue)
        /// A standard table that may still grow.
        case table(TOMLTableBuilder)
        /// An array of tables created by `[[header]]`s; new headers append elements.
        case arrayOfTables(TableArray)
    }

    /// The growing element list of an array of tables, shared by reference so appends are in place.
    final class TableArray {
        /// The elements, in header order; never empty.
        var tables: [TOMLTableBuilder]

        init(first: TOMLTableBuilder) {
            tables = [first]
        }
    }

    var kind: Kind
    /// Nesting level from the document root (root is 0); bounded to keep recursion shallow.
    let depth: Int

    private var names: [String] = []
    private var entries: [Entry] = []
    private var positions: [TOMLPosition] = []
    /// Name-to-entry index, built only once the table outgrows `TOMLTable.linearSearchLimit`.
    private var indexByName: [TOMLKey: Int]?

    init(kind: Kind, depth: Int) {
        self.kind = kind
        self.depth = depth
    }

    /// The current content of `name`, or `nil` if the key is not defined yet.
    func entry(for name: String) -> Entry? {
        guard let index = index(of: name) else { return nil }
        return entries[index]
    }

    /// Adds a new key; callers check with `entry(for:)` first, so `name` is never a duplicate.
    func append(_ entry: Entry, for name: String, at position: TOMLPosition) {
        names.append(name)
        entries.append(entry)
        positions.append(position)
        if indexByName != nil {
            indexByName?[TOMLKey(name)] = names.count - 1
        } else if names.count > TOMLTable.linearSearchLimit {
            indexByName = Dictionary(
                names.indices.map { (TOMLKey(names[$0]), $0) }, uniquingKeysWith: { first, _ in first })
        }
    }

    /// Records where an implicitly created table was finally defined by its own header.
    func setPosition(_ position: TOMLPosition, for name: String) {
        guard let index = index(of: name) else { return }
        positions[index] = position
    }

    private func index(of name: String) -> Int? {
        let wanted = TOMLKey(name)
        if let indexByName { return indexByName[wanted] }
        return names.firstIndex { TOMLKey($0) == wanted }
    }

    /// Converts the finished tree into the immutable public representation.
    func build() -> TOMLTable {
        var table = TOMLTable()
        for index in entries.indices {
            let value: TOMLValue
            switch entries[index] {
            case .value(let finished):
                value = finished
            case .table(let child):
                value = .table(child.build())
            case .arrayOfTables(let array):
                value = .array(array.tables.map { .table($0.build()) })
            }
            table.append(value, for: names[index], at: positions[index])
        }
        return table
    }
}
