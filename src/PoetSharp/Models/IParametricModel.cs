using PoetSharp.Potentials;

namespace PoetSharp.Models;

/// <summary>
/// A model family's common face: a potential with a vector of fitted parameters. Closed-form POET models
/// (<see cref="Model"/>: the parameters are the expression's constants) and moment tensor potentials
/// (<see cref="Mtp.MtpModel"/>: radial, species and moment coefficients) implement it; commands that only need to run,
/// refit or report a model go through it rather than through either family.
/// </summary>
public interface IParametricModel
{
    /// <summary>The family, as model files name it: "expression" or "mtp".</summary>
    string Family { get; }
    string Name { get; }
    /// <summary>The elements the model describes.</summary>
    IReadOnlyList<string> Species { get; }
    /// <summary>Interaction range (Å).</summary>
    double Cutoff { get; }
    int ParameterCount { get; }
    double[] Parameters();
    IParametricModel WithParameters(ReadOnlySpan<double> parameters);
    /// <summary>The model as a potential (the exact evaluator of its family).</summary>
    IPotential CreatePotential();
}
