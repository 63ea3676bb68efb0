"""A stock grpcio-reflection client (reflection v1alpha) against a node: lists its services,
loads the descriptors of granary.v1.Grains through reflection alone, and calls a counter with
message types built from them. Prints what it found; exits non-zero on any failure."""

import sys

import grpc
from google.protobuf import descriptor_pool, message_factory
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)


def main(target: str) -> None:
    channel = grpc.insecure_channel(target)
    database = ProtoReflectionDescriptorDatabase(channel)
    services = database.get_services()
    print("services", " ".join(sorted(services)))
    pool = descriptor_pool.DescriptorPool(database)
    grains = pool.FindServiceByName("granary.v1.Grains")
    call = grains.FindMethodByName("Call")
    request_type = message_factory.GetMessageClass(call.input_type)
    reply_type = message_factory.GetMessageClass(call.output_type)
    invoke = channel.unary_unary(
        "/granary.v1.Grains/Call",
        request_serializer=request_type.SerializeToString,
        response_deserializer=reply_type.FromString,
    )
    request = request_type()
    request.grain.kind = "counter"
    request.grain.identity = "reflected"
    request.method = "add"
    request.payload = b'{"n":3}'
    reply = invoke(request, timeout=20)
    print("reply", reply.payload.decode())


if __name__ == "__main__":
    main(sys.argv[1])
