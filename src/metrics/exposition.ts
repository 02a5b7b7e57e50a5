/**
 * Prometheus text exposition format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/): the
 * content type and the name rules Converge checks at registration (prom-client formats the text).
 */

export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function checkMetricName(name: string): void {
  if (!METRIC_NAME.test(name)) throw new Error(`invalid metric name ${JSON.stringify(name)}`);
}

export function checkLabelName(name: string, reserved: readonly string[]): void {
  if (!LABEL_NAME.test(name) || name.startsWith("__") || reserved.includes(name)) {
    throw new Error(`invalid label name ${JSON.stringify(name)}`);
  }
}
