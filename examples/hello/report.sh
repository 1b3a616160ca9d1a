# The `report` task of examples/hello: logs what it received and reports its size.
input=$(cat)
echo "run $ORK_RUN_ID, task $ORK_TASK, attempt $ORK_ATTEMPT"
echo "received: $input"
printf 'ORK_OUTPUT:{"bytes": %d}\n' "${#input}"
