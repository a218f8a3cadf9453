/// One anomaly check over a host observation, producing zero or more alerts of one kind.
///
/// A detector is pure: the observation and the settings are its only inputs. Hostile or missing
/// data must make it return no alert, never trap. A thrown error is reported by
/// ``DetectorSuite`` as a `detector_error` for this detector while the others still run.
public protocol Detector: Sendable {
    /// The alert kind this detector produces, one of `DetectorNames.all`; also the name
    /// `[detectors] disabled` and `detector_error` use.
    var name: String { get }

    /// The alerts `observation` warrants under `settings`; empty when all is well or the data
    /// needed is missing.
    func detect(_ observation: HostObservation, settings: DetectorSettings) throws -> [Alert]
}
