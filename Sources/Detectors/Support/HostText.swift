import FleetCore

/// Bounds on text that comes from a remote host and ends up in alert messages, identity keys and
/// hook arguments. A hostile or broken host can send megabyte-long agent names or tool targets;
/// clipping keeps alerts printable on a phone and keys small in the persisted alert state.
///
/// The bound is in scalars and in bytes, never in `Character`s: one letter followed by 300 000
/// combining marks is a single Character, and a 200-Character clip once let it through whole,
/// making `FLEET_MESSAGE` exceed the kernel's 128 KiB argument limit.
enum HostText {
    /// Longest host-provided string kept in an alert, in Unicode scalars (the original's cut).
    static let maxScalars = 200
    /// And in UTF-8 bytes.
    static let maxBytes = 800

    /// `text` cut to ``maxScalars`` scalars and ``maxBytes`` bytes, with `…` marking the cut.
    static func clip(_ text: String) -> String {
        UTF8Clip.clip(text, maxBytes: maxBytes, maxScalars: maxScalars)
    }
}
