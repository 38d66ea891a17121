import * as otel from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import type { WorkflowClientInterceptor } from '@temporalio/client';

/**
 * Tracing through `@temporalio/interceptors-opentelemetry`: a command's client call, the
 * workflow's handling of it and the activities it schedules share one trace, exported over
 * OTLP/HTTP. Off unless OTEL_EXPORTER_OTLP_ENDPOINT is set; the server and the worker each
 * start it once per process.
 */
export interface Tracing {
  tracer: otel.Tracer;
  /** The processor workflow spans go to as well (through the worker's `exporter` sink). */
  spanProcessor: SpanProcessor;
  resource: Resource;
  /** For a Temporal Client: starts, updates, signals and queries become spans with their context in the headers. */
  clientInterceptors(): WorkflowClientInterceptor[];
  /** Flushes what is buffered and stops exporting. */
  shutdown(): Promise<void>;
}

/** `http://collector:4318` → `http://collector:4318/v1/traces`, as the OTLP spec derives the traces URL. */
export function tracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}

export function startTracing(options: { endpoint: string; serviceName: string }): Tracing {
  // Context follows async calls, and crosses processes in W3C traceparent form inside
  // Temporal's headers; both are process-wide settings of the OpenTelemetry API.
  otel.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  otel.propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const resource = new Resource({ 'service.name': options.serviceName });
  // OTEL_EXPORTER_OTLP_HEADERS (an API key of a hosted collector) is read by the exporter itself.
  const spanProcessor = new BatchSpanProcessor(new OTLPTraceExporter({ url: tracesUrl(options.endpoint) }), { scheduledDelayMillis: 1_000 });
  const provider = new BasicTracerProvider({ resource, spanProcessors: [spanProcessor] });
  const tracer = provider.getTracer('salesflow');
  return {
    tracer,
    spanProcessor,
    resource,
    clientInterceptors: () => [new OpenTelemetryWorkflowClientInterceptor({ tracer })],
    shutdown: () => provider.shutdown(),
  };
}
