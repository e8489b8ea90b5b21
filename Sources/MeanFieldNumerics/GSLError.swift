import CGSL

/// A GSL routine reported a failure. GSL's default handler would abort the process; we switch
/// it off (see `GSL.ensureInitialized()`) and turn the returned status codes into this error.
public struct GSLError: Error, CustomStringConvertible, Sendable {
    /// GSL's status code (GSL_EROUND, GSL_EMAXITER, ...).
    public let code: Int32
    /// The routine that failed, e.g. "gsl_integration_qag".
    public let routine: String
    /// Extra context supplied by the caller (the integrand, the arguments).
    public let context: String
    /// The best value and its error estimate, where the routine returned them despite the
    /// failure (quadratures that could not reach the tolerance).
    public let partialResult: (value: Double, error: Double)?

    public init(code: Int32, routine: String, context: String = "",
                partialResult: (value: Double, error: Double)? = nil) {
        self.code = code
        self.routine = routine
        self.context = context
        self.partialResult = partialResult
    }

    public var reason: String { String(cString: gsl_strerror(code)) }

    public var description: String {
        context.isEmpty ? "\(routine): \(reason)" : "\(routine): \(reason) (\(context))"
    }
}

public enum GSL {
    /// Switches GSL's abort-on-error handler off, once per process. Every entry point of this
    /// module calls it, so library users never see an abort.
    public static func ensureInitialized() { _ = initialized }

    private static let initialized: Bool = {
        gsl_set_error_handler_off()
        return true
    }()

    /// Throws `GSLError` unless `status` is GSL_SUCCESS.
    @inline(__always)
    public static func check(_ status: Int32, _ routine: @autoclosure () -> String,
                             context: @autoclosure () -> String = "") throws {
        if status != Int32(GSL_SUCCESS) {
            throw GSLError(code: status, routine: routine(), context: context())
        }
    }
}

/// A value with GSL's error estimate (gsl_sf_result).
public struct EstimatedValue: Sendable, Equatable {
    public var value: Double
    public var error: Double
    public init(value: Double, error: Double) {
        self.value = value
        self.error = error
    }
}
