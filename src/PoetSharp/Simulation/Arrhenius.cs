namespace PoetSharp.Simulation;

/// <summary>One rate measured at one temperature: D (any unit) and its standard error (same unit; 0 or NaN if unknown).</summary>
public sealed record ArrheniusPoint(double Temperature, double Value, double StandardError);

/// <summary>
/// D = D0 exp(−Ea / k_B T) fitted as ln D = ln D0 − Ea·(1/k_B T), weighted by (D/σ_D)² when every point has an error;
/// otherwise unweighted, the errors then from the scatter about the line.
/// </summary>
/// <param name="ActivationEnergy">Ea (eV).</param>
/// <param name="ActivationEnergyError">Standard error of Ea (eV).</param>
/// <param name="Prefactor">D0 (the unit of the values).</param>
/// <param name="PrefactorError">Standard error of D0 (D0·σ(ln D0)).</param>
/// <param name="LogPrefactorEnergyCovariance">Covariance of ln D0 and Ea (eV), for the error of an extrapolated rate.</param>
public sealed record ArrheniusFit(double ActivationEnergy, double ActivationEnergyError, double Prefactor, double PrefactorError, ArrheniusPoint[] Points,
    double LogPrefactorEnergyCovariance = 0)
{
    public static ArrheniusFit Fit(IReadOnlyList<ArrheniusPoint> points)
    {
        if (points.Count < 2) throw new ArgumentException("an Arrhenius fit needs rates at two temperatures at least");
        foreach (var p in points)
            if (!(p.Temperature > 0) || !(p.Value > 0) || !double.IsFinite(p.Value))
                throw new ArgumentException($"rate {p.Value} at {p.Temperature} K: an Arrhenius fit needs positive rates at positive temperatures");
        if (points.Select(p => p.Temperature).Distinct().Count() < 2) throw new ArgumentException("an Arrhenius fit needs two different temperatures");

        var x = points.Select(p => 1 / (Units.BoltzmannEvPerK * p.Temperature)).ToArray();
        var y = points.Select(p => Math.Log(p.Value)).ToArray();
        var weighted = points.All(p => p.StandardError > 0 && double.IsFinite(p.StandardError));
        var w = points.Select(p => weighted ? Math.Pow(p.Value / p.StandardError, 2) : 1.0).ToArray();

        double s = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (var i = 0; i < x.Length; i++)
        {
            s += w[i]; sx += w[i] * x[i]; sy += w[i] * y[i]; sxx += w[i] * x[i] * x[i]; sxy += w[i] * x[i] * y[i];
        }
        var det = s * sxx - sx * sx;
        var slope = (s * sxy - sx * sy) / det;
        var intercept = (sxx * sy - sx * sxy) / det;
        double varSlope = s / det, varIntercept = sxx / det, covariance = -sx / det;
        if (!weighted)
        {
            // Unknown errors: scale by the residual variance (needs three points to be defined).
            var dof = x.Length - 2;
            var rss = 0.0;
            for (var i = 0; i < x.Length; i++) rss += Math.Pow(y[i] - intercept - slope * x[i], 2);
            var sigma2 = dof > 0 ? rss / dof : double.NaN;
            varSlope *= sigma2;
            varIntercept *= sigma2;
            covariance *= sigma2;
        }
        var prefactor = Math.Exp(intercept);
        // Ea = −slope, so cov(ln D0, Ea) = −cov(intercept, slope).
        return new ArrheniusFit(-slope, Math.Sqrt(varSlope), prefactor, prefactor * Math.Sqrt(varIntercept), points.ToArray(), -covariance);
    }

    /// <summary>The fitted rate at temperature t (K).</summary>
    public double At(double t) => Prefactor * Math.Exp(-ActivationEnergy / (Units.BoltzmannEvPerK * t));

    /// <summary>
    /// Standard error of ln D(t) from the fit's covariance: var(ln D0) + x² var(Ea) − 2x cov(ln D0, Ea), x = 1/k_B t.
    /// It grows with the distance from the fitted temperatures, which is what an extrapolation band shows.
    /// </summary>
    public double LogStandardErrorAt(double t)
    {
        var x = 1 / (Units.BoltzmannEvPerK * t);
        var logPrefactorError = PrefactorError / Prefactor;
        var variance = logPrefactorError * logPrefactorError + x * x * ActivationEnergyError * ActivationEnergyError - 2 * x * LogPrefactorEnergyCovariance;
        return Math.Sqrt(Math.Max(variance, 0));
    }

    /// <summary>The fitted rate at t with its one-standard-error band (multiplicative, from <see cref="LogStandardErrorAt"/>).</summary>
    public (double Value, double Low, double High) BandAt(double t)
    {
        var value = At(t);
        var e = LogStandardErrorAt(t);
        return (value, value * Math.Exp(-e), value * Math.Exp(e));
    }

    /// <summary>The Arrhenius plot: log10 D against 1000/T with error bars and the fitted line, as PNG or SVG by the extension.</summary>
    public void Plot(string path, string valueLabel = "D (cm²/s)", int width = 700, int height = 500) =>
        ArrheniusPlot.Save(path, [("molecular dynamics", this)], valueLabel, extrapolateTo: null, width, height);
}

/// <summary>Arrhenius plots of one or more fits (say tracer and collective diffusivities) on one set of axes.</summary>
public static class ArrheniusPlot
{
    /// <summary>
    /// log10 D against 1000/T: each series' points with error bars and its fitted line; with <paramref name="extrapolateTo"/>
    /// (K) the lines run on to that temperature with their one-standard-error bands, so the uncertainty of the extrapolation is seen.
    /// </summary>
    public static void Save(string path, IReadOnlyList<(string Label, ArrheniusFit Fit)> series, string valueLabel = "D (cm²/s)",
        double? extrapolateTo = null, int width = 700, int height = 500)
    {
        if (series.Count == 0) throw new ArgumentException("nothing to plot");
        var plot = new ScottPlot.Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (var k = 0; k < series.Count; k++)
        {
            var (label, fit) = series[k];
            var color = palette.GetColor(k);
            var xs = fit.Points.Select(p => 1000 / p.Temperature).ToArray();
            var ys = fit.Points.Select(p => Math.Log10(p.Value)).ToArray();
            var errors = fit.Points.Select(p => p.StandardError > 0 ? p.StandardError / (p.Value * Math.Log(10)) : 0).ToArray();
            var scatter = plot.Add.ScatterPoints(xs, ys, color);
            scatter.MarkerSize = 8;
            scatter.LegendText = label;
            var bars = plot.Add.ErrorBar(xs, ys, errors);
            bars.Color = color;
            double lo = xs.Min(), hi = xs.Max(), pad = 0.05 * (hi - lo);
            var end = extrapolateTo is { } t ? Math.Max(1000 / t, hi + pad) : hi + pad;
            var lineX = Enumerable.Range(0, 41).Select(i => lo - pad + (end - lo + pad) * i / 40).ToArray();
            var lineY = lineX.Select(x => Math.Log10(fit.At(1000 / x))).ToArray();
            if (extrapolateTo is not null)
            {
                var band = lineX.Select(x => fit.LogStandardErrorAt(1000 / x) / Math.Log(10)).ToArray();
                var fill = plot.Add.FillY(lineX, lineY.Zip(band, (y, e) => y - e).ToArray(), lineY.Zip(band, (y, e) => y + e).ToArray());
                fill.FillStyle.Color = color.WithAlpha(0.2);
                fill.LineStyle.Width = 0;
            }
            var line = plot.Add.ScatterLine(lineX, lineY, color);
            line.LegendText = FormattableString.Invariant($"Ea = {fit.ActivationEnergy:F3} ± {fit.ActivationEnergyError:F3} eV");
        }
        if (extrapolateTo is { } target)
        {
            var marker = plot.Add.VerticalLine(1000 / target);
            marker.LinePattern = ScottPlot.LinePattern.Dotted;
            marker.Color = ScottPlot.Colors.Gray;
            marker.LegendText = FormattableString.Invariant($"{target:G4} K");
        }
        plot.ShowLegend();
        plot.Legend.Alignment = ScottPlot.Alignment.UpperRight; // the lines fall to the right, away from the upper-right corner
        plot.XLabel("1000 / T (1/K)");
        plot.YLabel("log10 " + valueLabel);
        plot.Title("Arrhenius plot");
        Properties.PropertyPlots.Save(plot, path, width, height);
    }
}
