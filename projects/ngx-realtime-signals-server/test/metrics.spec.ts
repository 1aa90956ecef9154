import { createMetrics } from '../src/metrics';

describe('createMetrics', () => {
  it('gives each server its own registry, so two servers in one process do not share counts', async () => {
    const a = createMetrics({ defaultMetrics: false });
    const b = createMetrics({ defaultMetrics: false });
    a.eventsPublished.inc(3);
    expect(await a.registry.getSingleMetricAsString('realtime_events_published_total')).toMatch(/ 3$/m);
    expect(await b.registry.getSingleMetricAsString('realtime_events_published_total')).toMatch(/ 0$/m);
  });

  it('samples the connections gauge from the registered counts at scrape time', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    let open = 2;
    metrics.countConnections('sse', () => open);
    const scrape = () => metrics.registry.getSingleMetricAsString('realtime_connections');
    expect(await scrape()).toContain('realtime_connections{transport="sse"} 2');
    open = 0;
    expect(await scrape()).toContain('realtime_connections{transport="sse"} 0');
    expect(await scrape()).toContain('realtime_connections{transport="websocket"} 0');
  });

  it('exposes every transport label from the start so dashboards see zeros, not gaps', async () => {
    const text = await createMetrics({ defaultMetrics: false }).registry.metrics();
    for (const transport of ['sse', 'long_poll', 'websocket']) {
      expect(text).toContain(`realtime_events_delivered_total{transport="${transport}"} 0`);
      expect(text).toContain(`realtime_reconnects_total{transport="${transport}"} 0`);
    }
  });
});
