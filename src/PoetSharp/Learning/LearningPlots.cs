namespace PoetSharp.Learning;

/// <summary>
/// The summary plots of a learning run, each as PNG and SVG (ScottPlot, headless): errors against iteration
/// (<c>learning-errors</c>: energy and force RMSE on the training set, and on the validation set when given) and the
/// cost (<c>learning-cost</c>: cumulative oracle calls, and the seconds spent in MD, oracle and training per iteration).
/// </summary>
public static class LearningPlots
{
    public static void Write(IReadOnlyList<LearningIteration> iterations, string folder)
    {
        if (iterations.Count == 0) return;
        Directory.CreateDirectory(folder);
        var trained = iterations.Where(r => !r.Converged).ToList();
        double[] x = trained.Select(r => (double)r.Iteration).ToArray();

        var errors = new ScottPlot.Plot();
        void Line(ScottPlot.Plot plot, double[] xs, double[] ys, string legend, bool right)
        {
            var keep = Enumerable.Range(0, xs.Length).Where(k => double.IsFinite(ys[k])).ToArray();
            if (keep.Length == 0) return;
            var line = plot.Add.Scatter(keep.Select(k => xs[k]).ToArray(), keep.Select(k => ys[k]).ToArray());
            line.LegendText = legend;
            if (right) line.Axes.YAxis = plot.Axes.Right;
        }
        Line(errors, x, trained.Select(r => r.TrainingEnergyRmse).ToArray(), "energy RMSE, training (meV/atom, left)", false);
        Line(errors, x, trained.Select(r => r.ValidationEnergyRmse).ToArray(), "energy RMSE, validation (meV/atom, left)", false);
        Line(errors, x, trained.Select(r => r.TrainingForceRmse).ToArray(), "force RMSE, training (eV/Å, right)", true);
        Line(errors, x, trained.Select(r => r.ValidationForceRmse).ToArray(), "force RMSE, validation (eV/Å, right)", true);
        Save(errors, "learning on the fly: errors after each iteration's training", "energy RMSE (meV/atom)", "force RMSE (eV/Å)", Path.Combine(folder, "learning-errors"));

        var cost = new ScottPlot.Plot();
        var all = iterations.Select(r => (double)r.Iteration).ToArray();
        var cumulative = 0.0;
        Line(cost, all, iterations.Select(r => cumulative += r.OracleCalls).ToArray(), "oracle calls, cumulative (left)", false);
        Line(cost, all, iterations.Select(r => r.MdSeconds).ToArray(), "MD and grading (s, right)", true);
        Line(cost, all, iterations.Select(r => r.OracleSeconds).ToArray(), "oracle (s, right)", true);
        Line(cost, all, iterations.Select(r => r.TrainingSeconds).ToArray(), "training (s, right)", true);
        Save(cost, "learning on the fly: oracle calls and time per iteration", "oracle calls", "seconds", Path.Combine(folder, "learning-cost"));
    }

    private static void Save(ScottPlot.Plot plot, string title, string left, string right, string pathWithoutExtension)
    {
        plot.Title(title);
        plot.XLabel("iteration");
        plot.Axes.Left.Label.Text = left;
        plot.Axes.Right.Label.Text = right;
        plot.ShowLegend(ScottPlot.Edge.Bottom);
        plot.SavePng(pathWithoutExtension + ".png", 800, 600);
        plot.SaveSvg(pathWithoutExtension + ".svg", 800, 600);
    }
}
