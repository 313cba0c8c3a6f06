using PoetSharp.Atoms;

namespace PoetSharp.Mtp;

/// <summary>
/// A short-range core for a moment tensor potential: below each species pair's inner radius r_in the MTP's radial
/// functions are held near their value at r_in, and the Ziegler–Biersack–Littmark (ZBL) universal screened-Coulomb
/// repulsion takes over.
/// </summary>
/// <remarks>
/// <para>Why. An MTP's radial functions are Chebyshev polynomials; below the shortest distance in its training data they
/// are unconstrained, and MD that wanders there (hot runs, a vacancy hop's saddle, a species pair the data never bring
/// close) can meet arbitrarily large attractive forces and collapse. ACE (pacemaker's core repulsion) and DeePMD (its
/// ZBL baseline) guard against this in the same spirit; MLIP's .mtp format has no such term.</para>
/// <para>Form. Below r_in each radial function of the pair is evaluated at a clamped distance,
/// f_μ(ρ(r)) with ρ = r_in − w + w·P(x), x = (r − r_in + w)/w clipped to [0, 1], P(x) = 6x³ − 8x⁴ + 3x⁵ (ρ = r with its
/// first two derivatives at r_in, constant with vanishing first two derivatives at r_in − w, monotone between), so the
/// MTP never sees a pair closer than r_in − w and its energy cannot run away as a pair closes in; directions still enter
/// through the moments. Each pair adds (1 − S(r)) φ_ZBL(r), with the switch S = 0 for r ≤ r_in − w, 1 for r ≥ r_in and
/// x³(10 − 15x + 6x²) between, φ_ZBL(r) = k_e Z_a Z_b / r · Σ_k c_k exp(−d_k r / a), a = 0.46850 Å / (Z_a^0.23 + Z_b^0.23),
/// k_e = 14.399645 eV·Å, c = (0.18175, 0.50986, 0.28022, 0.02817), d = (3.19980, 0.94229, 0.40290, 0.20162)
/// (Ziegler, Biersack and Littmark, 1985). Pairs at r ≥ r_in feel neither change, so a core whose inner radii lie at or
/// below the training data's shortest distances leaves the fitted model unchanged on those data.</para>
/// <para>Limits. It guards against one pair closing in, not against many-body extrapolation (environments whose
/// combination of neighbours the data never show); on LGPS at 1000 K that, not a pair, is what collapses (docs/mtp.md).</para>
/// </remarks>
public sealed class MtpCore
{
    /// <summary>Coulomb's constant e²/(4πε₀) in eV·Å.</summary>
    public const double CoulombConstant = 14.399645;
    private static readonly double[] C = [0.18175, 0.50986, 0.28022, 0.02817];
    private static readonly double[] D = [3.19980, 0.94229, 0.40290, 0.20162];

    /// <summary>r_in of each ordered species pair (s·S + t), symmetric (Å).</summary>
    public double[] Inner { get; }
    /// <summary>Width w of the clamp and the switch below r_in (Å).</summary>
    public double Width { get; }
    public int SpeciesCount { get; }
    private readonly double[] _prefactor, _inverseScreening;

    /// <param name="inner">r_in per ordered species pair [s·S + t], symmetric, positive (Å).</param>
    /// <param name="width">The width of the clamp and the switch below r_in, positive and smaller than every r_in (Å).</param>
    /// <param name="elements">Element of each species number (their atomic numbers set the repulsion).</param>
    public MtpCore(double[] inner, double width, IReadOnlyList<string> elements)
    {
        var s = elements.Count;
        if (inner.Length != s * s) throw new ArgumentException($"the core needs {s * s} inner radii (one per ordered species pair), got {inner.Length}");
        if (!(double.IsFinite(width) && width > 0)) throw new ArgumentException($"the core's switching width must be positive (got {width} Å)");
        for (var a = 0; a < s; a++)
            for (var b = 0; b < s; b++)
            {
                var r = inner[a * s + b];
                if (!(double.IsFinite(r) && r > width))
                    throw new ArgumentException($"the core's inner radius of {elements[a]}-{elements[b]} must exceed the switching width {width} Å (got {r} Å)");
                if (r != inner[b * s + a])
                    throw new ArgumentException($"the core's inner radii of {elements[a]}-{elements[b]} and {elements[b]}-{elements[a]} differ ({r}, {inner[b * s + a]} Å)");
            }
        Inner = (double[])inner.Clone();
        Width = width;
        SpeciesCount = s;
        _prefactor = new double[s * s];
        _inverseScreening = new double[s * s];
        for (var a = 0; a < s; a++)
            for (var b = 0; b < s; b++)
            {
                double za = Elements.AtomicNumber(elements[a]), zb = Elements.AtomicNumber(elements[b]);
                _prefactor[a * s + b] = CoulombConstant * za * zb;
                _inverseScreening[a * s + b] = (Math.Pow(za, 0.23) + Math.Pow(zb, 0.23)) / 0.46850;
            }
    }

    /// <summary>The shortest distance of each ordered species pair [s·S + t] in the structures (∞ where none is within <paramref name="cutoff"/>).</summary>
    public static double[] ShortestDistances(IEnumerable<Structure> structures, string[] elements, double cutoff)
    {
        var s = elements.Length;
        var shortest = Enumerable.Repeat(double.PositiveInfinity, s * s).ToArray();
        var nb = new MtpNeighbourhoods();
        foreach (var structure in structures)
        {
            nb.Build(structure, NeighbourList.Create(structure, cutoff, half: true), cutoff, elements);
            AddShortest(nb, s, shortest);
        }
        return shortest;
    }

    /// <summary>Lowers <paramref name="shortest"/> [s·S + t] to the shortest distances of the neighbourhoods' pairs.</summary>
    public static void AddShortest(MtpNeighbourhoods nb, int species, double[] shortest)
    {
        var offsets = nb.Offsets;
        for (var i = 0; i < nb.AtomCount; i++)
            for (var k = offsets[i]; k < offsets[i + 1]; k++)
            {
                var r = nb.Displacements[k].Length;
                var pair = nb.Types[i] * species + nb.NeighbourTypes[k];
                if (r < shortest[pair]) shortest[pair] = r;
            }
    }

    /// <summary>S(r) of the ordered pair index <paramref name="pair"/> and dS/dr.</summary>
    public double Switch(int pair, double r, out double slope)
    {
        var inner = Inner[pair];
        if (r >= inner) { slope = 0; return 1; }
        var x = (r - inner + Width) / Width;
        if (x <= 0) { slope = 0; return 0; }
        slope = 30 * x * x * (x - 1) * (x - 1) / Width;
        return x * x * x * (10 + x * (-15 + 6 * x));
    }

    /// <summary>The distance ρ(r) at which the pair's radial functions are evaluated, and dρ/dr (r itself at and beyond r_in).</summary>
    public double Clamp(int pair, double r, out double slope)
    {
        var inner = Inner[pair];
        if (r >= inner) { slope = 1; return r; }
        var x = (r - inner + Width) / Width;
        if (x <= 0) { slope = 0; return inner - Width; }
        slope = x * x * (18 + x * (-32 + 15 * x));
        return inner - Width + Width * x * x * x * (6 + x * (-8 + 3 * x));
    }

    /// <summary>φ_ZBL(r) of the pair and dφ/dr (eV, eV/Å).</summary>
    public double Repulsion(int pair, double r, out double slope)
    {
        var q = _prefactor[pair];
        var k = _inverseScreening[pair];
        double screen = 0, dscreen = 0;
        for (var t = 0; t < C.Length; t++)
        {
            var e = C[t] * Math.Exp(-D[t] * k * r);
            screen += e;
            dscreen -= D[t] * k * e;
        }
        slope = q * (dscreen / r - screen / (r * r));
        return q * screen / r;
    }

    /// <summary>The core's pair energy (1 − S(r)) φ_ZBL(r) and its derivative (zero at and beyond r_in).</summary>
    public double PairEnergy(int pair, double r, out double slope)
    {
        if (r >= Inner[pair]) { slope = 0; return 0; }
        var s = Switch(pair, r, out var ds);
        var phi = Repulsion(pair, r, out var dphi);
        slope = (1 - s) * dphi - ds * phi;
        return (1 - s) * phi;
    }

    /// <summary>The largest inner radius (Å): beyond it the core changes nothing.</summary>
    public double Reach => Inner.Max();
}
