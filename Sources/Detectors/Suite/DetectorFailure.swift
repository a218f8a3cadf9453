import FleetCore

/// A detector that threw instead of answering. The other detectors' alerts are unaffected.
public struct DetectorFailure: Sendable, Equatable {
    public var detector: String
    /// `"<Type>: <message>"`, as the original's `detector_error` event writes it.
    public var message: String

    public init(detector: String, message: String) {
        self.detector = detector
        self.message = message
    }
}
