#pragma once
// Registers the generator connectors: `datagen` (datagen.h) and `nexmark` (nexmark.h), both
// run by GeneratorSource.

namespace sluice::connectors {
class Registry;
}

namespace sluice::connectors::generator {

void register_connectors(Registry& registry);

}  // namespace sluice::connectors::generator
