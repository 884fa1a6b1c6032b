"""Name lists for the op table's Python faces (which ops become functions and methods)."""


def _words(text: str) -> list[str]:
    return text.split()


FUNCTIONS_ONE_OP = _words(
    "exp log log2 log1p sqrt rsqrt sin cos tan tanh sigmoid erf reciprocal neg abs sign relu "
    "logical_not bitwise_not logical_and logical_or logical_xor maximum minimum matmul mm bmm "
    "clone detach t narrow gather index_select as_strided unsqueeze permute reshape argmax "
    "argmin zeros_like ones_like empty_like full_like rand_like randn_like relu_ clamp_min "
    "clamp_max numel equal isclose allclose log10 expm1 exp2 asin acos atan sinh cosh floor ceil "
    "round trunc square cumsum sort argsort topk flip isnan isinf isfinite tril triu amax amin "
    "nonzero count_nonzero real imag view_as_real view_as_complex"
)

FUNCTIONS_OVERLOADED = _words(
    "add sub mul floor_divide remainder fmod pow eq ne lt le gt ge bitwise_and bitwise_or "
    "bitwise_xor clamp sum mean var std prod max min any all squeeze transpose select flatten "
    "unbind unflatten rsub masked_fill"
)

METHODS_FROM_FUNCTIONS = _words(
    "exp log log2 log1p sqrt rsqrt sin cos tan tanh sigmoid erf reciprocal neg abs sign relu "
    "logical_not bitwise_not logical_and logical_or logical_xor maximum minimum matmul mm bmm "
    "clone detach t narrow gather index_select as_strided unsqueeze argmax argmin relu_ "
    "clamp_min clamp_max add sub mul floor_divide remainder fmod pow eq ne lt le gt ge "
    "bitwise_and bitwise_or bitwise_xor clamp sum mean var std prod max min any all squeeze "
    "transpose select flatten unbind unflatten div true_divide softmax log_softmax split "
    "chunk multiply subtract equal isclose allclose masked_fill log10 expm1 exp2 asin acos "
    "atan sinh cosh floor ceil round trunc square cumsum sort argsort topk isnan isinf isfinite "
    "tril triu amax amin nonzero count_nonzero"
)

METHODS_ONE_OP = _words(
    "type_as expand_as view_as reshape_as zero_ copy_ index_put_ clamp_ clamp_min_ clamp_max_ "
    "neg_ uniform_ normal_ index_select abs_ exp_ log_ log2_ log10_ log1p_ sqrt_ rsqrt_ sin_ cos_ "
    "tan_ tanh_ sigmoid_ floor_ ceil_ round_ trunc_ reciprocal_ sign_ erf_ expm1_ exp2_ square_ "
    "asin_ acos_ atan_ sinh_ cosh_"
)

METHODS_OVERLOADED_INPLACE = _words(
    "masked_fill_ add_ sub_ mul_ fill_ pow_ remainder_ fmod_ floor_divide_"
)
