using PoetSharp.Evaluation;

namespace PoetSharp.Fitting;

/// <summary>
/// Parity plots (predicted against reference) of a potential's errors as PNG or SVG images (by the path's extension:
/// ".svg" is SVG, anything else PNG), drawn headless with ScottPlot:
/// energies per atom after the error table's constant shift, and force components. Points on the diagonal are exact.
/// Non-finite predictions are left out, as in the error tables.
/// </summary>
public static class ParityPlot
{
    /// <summary>Energies per atom (eV/atom): reference on x, shifted prediction on y.</summary>
    public static void WriteEnergies(PotentialErrors errors, string path, int width = 600, int height = 600)
    {
        var points = errors.Predictions.Where(p => p.IsFinite && p.Structure.Energy.HasValue)
            .Select(p => (X: p.Structure.EnergyPerAtom!.Value, Y: errors.ShiftedEnergyPerAtom(p))).ToArray();
        Write(points, $"{errors.PotentialName}: energy", "reference energy (eV/atom)", "predicted energy (eV/atom)", path, width, height);
    }

    /// <summary>Force components (eV/Å): reference on x, prediction on y.</summary>
    public static void WriteForces(PotentialErrors errors, string path, int width = 600, int height = 600)
    {
        var points = new List<(double X, double Y)>();
        foreach (var p in errors.Predictions)
        {
            if (!p.IsFinite || p.Structure.Forces is not { } reference) continue;
            for (var i = 0; i < reference.Length; i++)
                for (var a = 0; a < 3; a++) points.Add((reference[i][a], p.Forces[i][a]));
        }
        Write(points.ToArray(), $"{errors.PotentialName}: forces", "reference force component (eV/Å)", "predicted force component (eV/Å)", path, width, height);
    }

    private static void Write((double X, double Y)[] points, string title, string xLabel, string yLabel, string path, int width, int height)
    {
        if (points.Length == 0) throw new ArgumentException($"nothing to plot for '{title}': no structure carries that label");
        var plot = new ScottPlot.Plot();
        double low = points.Min(p => Math.Min(p.X, p.Y)), high = points.Max(p => Math.Max(p.X, p.Y));
        var pad = 0.03 * Math.Max(high - low, 1e-12);
        low -= pad;
        high += pad;
        var diagonal = plot.Add.Line(low, low, high, high);
        diagonal.Color = ScottPlot.Colors.Gray;
        var scatter = plot.Add.ScatterPoints(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray());
        scatter.MarkerSize = points.Length > 2000 ? 2 : 5;
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.Axes.SetLimits(low, high, low, high);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder != null) Directory.CreateDirectory(folder);
        if (Path.GetExtension(path).Equals(".svg", StringComparison.OrdinalIgnoreCase))
            plot.SaveSvg(path, width, height);
        else
            plot.SavePng(path, width, height);
    }
}
