/*
 * ringraft
 */
package io.ringraft.tools.perf;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYStepRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.io.IOException;
import java.nio.file.Path;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;

/**
 * Latency by percentile as a PNG, the way HdrHistogram's plotter draws it: the x axis is the number of nines
 * (0 = 0 %, 1 = 90 %, 2 = 99 %, 3 = 99.9 %...), so the tail gets as much room as the median. Drawn with JFreeChart,
 * headless (no display needed).
 */
final class LatencyPlot
{
    private static final double MAX_NINES = 6;

    private LatencyPlot()
    {
    }

    static void write(final Path file, final String title, final String subtitle, final Histogram latencyNs)
        throws IOException
    {
        System.setProperty("java.awt.headless", "true");
        final XYSeries series = new XYSeries("latency");
        // As many nines as the records can tell apart: 10,000 records show up to 99.99 %.
        final double maxNines =
            Math.max(1, Math.min(MAX_NINES, Math.ceil(Math.log10(Math.max(1, latencyNs.getTotalCount())))));
        for (final HistogramIterationValue v : latencyNs.percentiles(5))
        {
            final double fraction = v.getPercentileLevelIteratedTo() / 100.0;
            final double nines = fraction >= 1 ? maxNines : Math.min(maxNines, -Math.log10(1 - fraction));
            series.add(nines, v.getValueIteratedTo() / 1e6);
        }
        final NumberAxis x = new NumberAxis("percentile");
        x.setRange(0, maxNines);
        x.setTickUnit(new NumberTickUnit(1, new NinesFormat()));
        final NumberAxis y = new NumberAxis("latency (ms)");
        final XYPlot plot = new XYPlot(new XYSeriesCollection(series), x, y, new XYStepRenderer());
        final JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
        chart.addSubtitle(new TextTitle(subtitle));
        chart.setPadding(new RectangleInsets(8, 8, 8, 32)); // room for the last percentile label
        ChartUtils.saveChartAsPNG(file.toFile(), chart, 1000, 600);
    }

    /** 0 → 0%, 1 → 90%, 2 → 99%, 3 → 99.9%... */
    private static final class NinesFormat extends NumberFormat
    {
        @Override
        public StringBuffer format(final double nines, final StringBuffer to, final FieldPosition position)
        {
            final int n = (int)Math.round(nines);
            if (0 == n)
            {
                return to.append("0%");
            }
            return to.append(1 == n ? "90" : 2 == n ? "99" : "99." + "9".repeat(n - 2)).append('%');
        }

        @Override
        public StringBuffer format(final long nines, final StringBuffer to, final FieldPosition position)
        {
            return format((double)nines, to, position);
        }

        @Override
        public Number parse(final String source, final ParsePosition position)
        {
            return null;
        }
    }
}
