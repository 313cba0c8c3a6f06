using PoetSharp.Evaluation;

namespace PoetSharp.Mtp;

/// <summary>
/// Errors of a trained MTP per group, as MLIP reports them: energies per atom with no shift fitted afterwards (the
/// species coefficients are the model's own reference energies), force components, stress components.
/// </summary>
public sealed record MtpGroupErrors(string Group, int Structures, int Atoms,
    double EnergyRmse, double EnergyMae, int EnergyCount,
    double ForceRmse, double ForceMae, int ForceCount,
    double StressRmseGPa, double StressMaeGPa, int StressCount)
{
    /// <summary>Energies in meV/atom, forces in eV/Å, stresses in GPa; "all" first, then each group in order of appearance.</summary>
    public static List<MtpGroupErrors> Of(IReadOnlyList<StructurePrediction> predictions)
    {
        var result = new List<MtpGroupErrors> { Summarise("all", predictions) };
        var groups = predictions.Select(p => p.Structure.Group).Distinct().ToList();
        if (groups.Count > 1)
            foreach (var g in groups) result.Add(Summarise(g, predictions.Where(p => p.Structure.Group == g).ToList()));
        return result;
    }

    private static MtpGroupErrors Summarise(string group, IReadOnlyList<StructurePrediction> predictions)
    {
        double e2 = 0, e1 = 0, f2 = 0, f1 = 0, s2 = 0, s1 = 0;
        int ne = 0, nf = 0, ns = 0, atoms = 0;
        foreach (var p in predictions)
        {
            var s = p.Structure;
            atoms += s.Count;
            if (s.Energy is double e)
            {
                var r = 1000 * (p.Energy - e) / s.Count;
                e2 += r * r; e1 += Math.Abs(r); ne++;
            }
            if (s.Forces is { } f)
                for (var i = 0; i < s.Count; i++)
                    for (var c = 0; c < 3; c++)
                    {
                        var r = p.Forces[i][c] - f[i][c];
                        f2 += r * r; f1 += Math.Abs(r); nf++;
                    }
            if (s.Stress is { } sigma && s.Cell.FullyPeriodic)
                for (var c = 0; c < 6; c++)
                {
                    var r = Units.GPaPerEvPerA3 * (p.Stress[c] - sigma[c]);
                    s2 += r * r; s1 += Math.Abs(r); ns++;
                }
        }
        static double Rms(double sum, int n) => n > 0 ? Math.Sqrt(sum / n) : double.NaN;
        static double Mean(double sum, int n) => n > 0 ? sum / n : double.NaN;
        return new MtpGroupErrors(group, predictions.Count, atoms, Rms(e2, ne), Mean(e1, ne), ne, Rms(f2, nf), Mean(f1, nf), nf, Rms(s2, ns), Mean(s1, ns), ns);
    }
}
