import Foundation
import Prometheus
import TriplineCore
import TriplineEngine

/// The API's Prometheus metrics: requests by route, method and status, request durations,
/// events analysed, anomalies by severity and kind, and the model's age.
final class APIMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let eventsAnalyzed: Counter
    private let modelLoaded: Gauge
    private let modelAge: Gauge
    private let uptime: Gauge

    static let buckets: [Duration] = [.microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
                                      .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
                                      .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(10)]

    init() {
        eventsAnalyzed = registry.makeCounter(descriptor: .init(namespace: "tripline", metricName: "events_analyzed", unitName: "total",
                                                                helpText: "Log events analysed through the API"))
        modelLoaded = registry.makeGauge(descriptor: .init(namespace: "tripline", metricName: "model_loaded", unitName: "",
                                                           helpText: "1 when a model is loaded, else 0"))
        modelAge = registry.makeGauge(descriptor: .init(namespace: "tripline", metricName: "model_age", unitName: "seconds",
                                                        helpText: "Seconds since the loaded model was trained"))
        uptime = registry.makeGauge(descriptor: .init(namespace: "tripline", metricName: "uptime", unitName: "seconds",
                                                      helpText: "Seconds since the server started"))
    }

    /// One request answered.
    func request(route: String, method: String, status: Int, duration: Duration) {
        registry.makeCounter(descriptor: .init(namespace: "tripline", subsystem: "http", metricName: "requests", unitName: "total",
                                               helpText: "HTTP requests by route, method and status"),
                             labels: [("route", route), ("method", method), ("status", String(status))]).increment()
        registry.makeDurationHistogram(descriptor: .init(namespace: "tripline", subsystem: "http", metricName: "request_duration", unitName: "seconds",
                                                         helpText: "HTTP request duration by route"),
                                       labels: [("route", route)], buckets: APIMetrics.buckets).record(duration)
    }

    /// One analysis done.
    func analysis(_ a: Analysis) {
        eventsAnalyzed.increment(by: Int64(a.eventsAnalyzed))
        for x in a.anomalies {
            registry.makeCounter(descriptor: .init(namespace: "tripline", metricName: "anomalies", unitName: "total",
                                                   helpText: "Anomalies found by severity and kind"),
                                 labels: [("severity", x.severity.rawValue), ("kind", x.kind.rawValue)]).increment()
        }
    }

    /// The exposition text, with the gauges brought up to date.
    func render(service: AnalysisService) -> [UInt8] {
        let model = service.model
        modelLoaded.set(to: model == nil ? 0 : 1)
        if let m = model, let created = Timestamp(iso8601: m.createdAt) {
            modelAge.set(to: max(0, Date().timeIntervalSince1970 - created.seconds))
        } else {
            modelAge.set(to: 0)
        }
        uptime.set(to: service.stats.uptimeSeconds)
        var out: [UInt8] = []
        registry.emit(into: &out)
        return out
    }
}
